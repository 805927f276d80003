// A .proto read into dq's form (protobuf_to_dq) through protobuf's compiler:
// the descriptors it builds are walked into dq fields, one JSON mapping rule
// per protobuf type (https://protobuf.dev/programming-guides/json/).
#include <google/protobuf/compiler/importer.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <vector>

#include "spec/protobuf.h"

namespace dq::spec {
namespace {

namespace pb = google::protobuf;

// The file being read comes from memory (the text the loader was given); its
// imports from disk: its own folder, then protobuf's include folder.
class SourceTree : public pb::compiler::SourceTree {
 public:
  SourceTree(std::string name, std::string_view text, const std::string& folder) : name_(std::move(name)), text_(text) {
    disk_.MapPath("", folder.empty() ? "." : folder);
    disk_.MapPath("", DQ_PROTOBUF_INCLUDE);
  }
  pb::io::ZeroCopyInputStream* Open(const std::string& filename) override {
    if (filename == name_) return new pb::io::ArrayInputStream(text_.data(), static_cast<int>(text_.size()));
    return disk_.Open(filename);
  }
  std::string GetLastErrorMessage() override { return disk_.GetLastErrorMessage(); }

 private:
  std::string name_;
  std::string_view text_;
  pb::compiler::DiskSourceTree disk_;
};

class Errors : public pb::compiler::MultiFileErrorCollector {
 public:
  Errors(std::string main, Diagnostics& diags) : main_(std::move(main)), diags_(diags) {}
  void AddError(const std::string& file, int line, int column, const std::string& message) override {
    add(file, line, column, message, true);
  }
  void AddWarning(const std::string& file, int line, int column, const std::string& message) override {
    add(file, line, column, message, false);
  }

 private:
  void add(const std::string& file, int line, int column, const std::string& message, bool error) {
    // Positions are 0-based; a problem in an imported file names that file.
    const Span at = file == main_ && line >= 0 ? Span{line + 1, column + 1} : Span{};
    const std::string text = "protobuf: " + (file == main_ ? "" : file + ": ") + message;
    if (error) {
      diags_.error(at, text);
    } else {
      diags_.warn(at, text);
    }
  }
  std::string main_;
  Diagnostics& diags_;
};

Span span_of(const pb::FieldDescriptor* f) {
  pb::SourceLocation loc;
  return f->GetSourceLocation(&loc) ? Span{loc.start_line + 1, loc.start_column + 1} : Span{};
}

std::string comments(const pb::SourceLocation& loc) {
  std::string text = loc.leading_comments.empty() ? loc.trailing_comments : loc.leading_comments;
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  while (!text.empty() && (text.front() == ' ' || text.front() == '\n')) text.erase(0, 1);
  return text;
}

YAML::Node type_node(const char* name) {
  YAML::Node f(YAML::NodeType::Map);
  f["type"] = name;
  return f;
}

YAML::Node union_node(std::initializer_list<const char*> names, const char* pattern) {
  YAML::Node f(YAML::NodeType::Map);
  for (const char* n : names) f["type"].push_back(n);
  YAML::Node p(pattern);
  p.SetTag("!");  // quoted: a pattern is text
  f["pattern"] = p;
  return f;
}

class Importer {
 public:
  explicit Importer(Diagnostics& diags) : diags_(diags) {}

  YAML::Node contract(const pb::FileDescriptor* file, const std::string& selector) {
    YAML::Node out(YAML::NodeType::Map);
    out["dq"] = "1";
    const pb::Descriptor* message = choose(file, selector);
    if (message == nullptr) return out;
    out["dataset"] = message->full_name();
    out["version"] = "0.1.0";
    YAML::Node owner(YAML::NodeType::Map);
    owner["team"] = "TODO-owner-team";  // lint's owner-contact flags it until a person fills it
    out["owner"] = owner;
    pb::SourceLocation loc;
    if (message->GetSourceLocation(&loc) && !comments(loc).empty()) out["description"] = comments(loc);
    // json_format and Pub/Sub refuse a key the message does not declare.
    out["additional_fields"] = "reject";
    stack_.push_back(message->full_name());
    out["fields"] = fields(message, message->full_name());
    stack_.pop_back();
    return out;
  }

 private:
  const pb::Descriptor* choose(const pb::FileDescriptor* file, const std::string& selector) {
    std::string names;
    for (int i = 0; i < file->message_type_count(); ++i) {
      names += (names.empty() ? "" : ", ") + file->message_type(i)->name();
    }
    if (!selector.empty()) {
      const pb::Descriptor* d = file->pool()->FindMessageTypeByName(selector);
      if (d == nullptr && !file->package().empty()) {
        d = file->pool()->FindMessageTypeByName(file->package() + "." + selector);
      }
      if (d == nullptr)
        diags_.error({}, "protobuf: no message '" + selector + "' (the file's messages: " + names + ")");
      return d;
    }
    // The one top-level message no other message of the file uses as a field.
    std::set<const pb::Descriptor*> used;
    std::vector<const pb::Descriptor*> all;
    for (int i = 0; i < file->message_type_count(); ++i) collect(file->message_type(i), all);
    for (const pb::Descriptor* d : all) {
      for (int j = 0; j < d->field_count(); ++j) {
        const pb::Descriptor* t = d->field(j)->message_type();
        if (t != nullptr && t != d) used.insert(t);
      }
    }
    std::vector<const pb::Descriptor*> roots;
    for (int i = 0; i < file->message_type_count(); ++i) {
      if (!used.count(file->message_type(i))) roots.push_back(file->message_type(i));
    }
    if (roots.size() == 1) return roots.front();
    diags_.error({}, file->message_type_count() == 0
                         ? std::string("protobuf: the file declares no message")
                         : "protobuf: the file declares the messages " + names + "; choose one as FILE#Message");
    return nullptr;
  }

  static void collect(const pb::Descriptor* d, std::vector<const pb::Descriptor*>& all) {
    all.push_back(d);
    for (int i = 0; i < d->nested_type_count(); ++i) collect(d->nested_type(i), all);
  }

  void not_carried(Span at, const std::string& path, const std::string& what) {
    diags_.warn(at, "protobuf " + path + ": " + what);
  }

  YAML::Node fields(const pb::Descriptor* message, const std::string& path) {
    YAML::Node out(YAML::NodeType::Map);
    // A message is expanded at each use: bound what messages used many times over can grow to.
    fields_ += message->field_count();
    if (fields_ > kMaxFields) {
      if (!too_many_)
        diags_.error({}, "protobuf " + path + ": expands to more than " + std::to_string(kMaxFields) + " fields");
      too_many_ = true;
      return out;
    }
    for (int i = 0; i < message->field_count(); ++i) {
      const pb::FieldDescriptor* f = message->field(i);
      const std::string here = path + "." + f->name();
      YAML::Node field;
      if (f->is_map()) {
        field = type_node("object");
        field["additional_fields"] = "allow";
        not_carried(span_of(f), here, "a map's values are not checked by dq (its keys are free)");
      } else if (f->is_repeated()) {
        field = type_node("array");
        field["items"] = value(f, here + "[]");
      } else {
        field = value(f, here);
      }
      if (f->is_required()) field["required"] = "true";  // proto2
      pb::SourceLocation loc;
      if (f->GetSourceLocation(&loc) && !comments(loc).empty()) field["description"] = comments(loc);
      out[f->json_name()] = field;
    }
    for (int i = 0; i < message->oneof_decl_count(); ++i) {
      const pb::OneofDescriptor* o = message->oneof_decl(i);
      if (o->is_synthetic()) continue;  // proto3 `optional`
      std::string members;
      for (int j = 0; j < o->field_count(); ++j) members += (members.empty() ? "" : ", ") + o->field(j)->json_name();
      not_carried(span_of(o->field(0)), path + "." + o->name(),
                  "oneof: at most one of " + members + " is set; dq checks each as optional, not that rule");
    }
    return out;
  }

  // A single value of the field's type, in the JSON mapping.
  YAML::Node value(const pb::FieldDescriptor* f, const std::string& path) {
    switch (f->type()) {
      case pb::FieldDescriptor::TYPE_INT32:
      case pb::FieldDescriptor::TYPE_SINT32:
      case pb::FieldDescriptor::TYPE_SFIXED32: return bounded("-2147483648", "2147483647");
      case pb::FieldDescriptor::TYPE_UINT32:
      case pb::FieldDescriptor::TYPE_FIXED32: return bounded("0", "4294967295");
      case pb::FieldDescriptor::TYPE_INT64:
      case pb::FieldDescriptor::TYPE_SINT64:
      case pb::FieldDescriptor::TYPE_SFIXED64: return union_node({"integer", "string"}, "^-?(0|[1-9][0-9]*)$");
      case pb::FieldDescriptor::TYPE_UINT64:
      case pb::FieldDescriptor::TYPE_FIXED64: {
        YAML::Node u = union_node({"integer", "string"}, "^(0|[1-9][0-9]*)$");
        u["min"] = "0";
        return u;
      }
      case pb::FieldDescriptor::TYPE_FLOAT:
      case pb::FieldDescriptor::TYPE_DOUBLE: return union_node({"number", "string"}, "^(NaN|-?Infinity)$");
      case pb::FieldDescriptor::TYPE_BOOL: return type_node("boolean");
      case pb::FieldDescriptor::TYPE_STRING: return type_node("string");
      case pb::FieldDescriptor::TYPE_BYTES: {
        YAML::Node s = type_node("string");
        YAML::Node p("^[A-Za-z0-9+/_-]*={0,2}$");  // base64, standard or URL-safe
        p.SetTag("!");
        s["pattern"] = p;
        return s;
      }
      case pb::FieldDescriptor::TYPE_ENUM: return enumeration(f->enum_type());
      case pb::FieldDescriptor::TYPE_MESSAGE:
      case pb::FieldDescriptor::TYPE_GROUP: return message(f, path);
    }
    return type_node("any");
  }

  static YAML::Node bounded(const char* min, const char* max) {
    YAML::Node f = type_node("integer");
    f["min"] = min;
    f["max"] = max;
    return f;
  }

  static YAML::Node enumeration(const pb::EnumDescriptor* e) {
    if (e->full_name() == "google.protobuf.NullValue") {
      YAML::Node f = type_node("any");
      f["const"] = YAML::Node(YAML::NodeType::Null);
      return f;
    }
    YAML::Node f = type_node("string");
    for (int i = 0; i < e->value_count(); ++i) {
      YAML::Node name(e->value(i)->name());
      name.SetTag("!");
      f["enum"].push_back(name);
    }
    return f;
  }

  YAML::Node message(const pb::FieldDescriptor* f, const std::string& path) {
    const pb::Descriptor* m = f->message_type();
    const std::string& name = m->full_name();
    // The well-known types have JSON forms of their own.
    if (name == "google.protobuf.Timestamp") return type_node("timestamp");
    if (name == "google.protobuf.Duration") {
      YAML::Node d = type_node("string");
      YAML::Node p("^-?[0-9]+(\\.[0-9]{1,9})?s$");
      p.SetTag("!");
      d["pattern"] = p;
      return d;
    }
    if (name == "google.protobuf.FieldMask") return type_node("string");
    if (name == "google.protobuf.Value") return type_node("any");
    if (name == "google.protobuf.ListValue") return type_node("array");
    if (name == "google.protobuf.Struct" || name == "google.protobuf.Any") {
      YAML::Node o = type_node("object");
      o["additional_fields"] = "allow";
      if (name == "google.protobuf.Any") {
        YAML::Node t = type_node("string");
        t["required"] = "true";
        o["fields"]["@type"] = t;
      }
      return o;
    }
    static const std::set<std::string> kWrappers = {
        "google.protobuf.DoubleValue", "google.protobuf.FloatValue",  "google.protobuf.Int64Value",
        "google.protobuf.UInt64Value", "google.protobuf.Int32Value",  "google.protobuf.UInt32Value",
        "google.protobuf.BoolValue",   "google.protobuf.StringValue", "google.protobuf.BytesValue"};
    if (kWrappers.count(name)) return value(m->FindFieldByName("value"), path);  // the wrapped value; null is unset
    if (std::find(stack_.begin(), stack_.end(), name) != stack_.end()) {
      diags_.error(span_of(f), "protobuf " + path + ": the message '" + name +
                                   "' contains itself; dq contracts describe finite records");
      return type_node("any");
    }
    if (stack_.size() > 32) {
      diags_.error(span_of(f), "protobuf " + path + ": messages nested deeper than 32");
      return type_node("any");
    }
    stack_.push_back(name);
    YAML::Node o = type_node("object");
    o["fields"] = fields(m, path);
    stack_.pop_back();
    return o;
  }

  static constexpr int kMaxFields = 20000;
  int fields_ = 0;
  bool too_many_ = false;
  Diagnostics& diags_;
  std::vector<std::string> stack_;  // the messages being read, for cycles
};

}  // namespace

YAML::Node protobuf_to_dq(std::string_view text, const std::string& message, Diagnostics& diagnostics) {
  const std::string& path = diagnostics.file();
  const std::size_t slash = path.find_last_of('/');
  const std::string folder = slash == std::string::npos ? "" : path.substr(0, slash);
  const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  SourceTree tree(name, text, folder);
  Errors errors(name, diagnostics);
  pb::compiler::Importer importer(&tree, &errors);
  const pb::FileDescriptor* file = importer.Import(name);
  if (file == nullptr) return YAML::Node(YAML::NodeType::Map);  // the errors say why
  return Importer(diagnostics).contract(file, message);
}

}  // namespace dq::spec
