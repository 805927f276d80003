// Tables keyed by 64-bit hashes, open-addressed (linear probing, at most 3/4
// full, so ten million keys take 16M slots): exact distinct and duplicate
// tracking over millions of values
// (profiles' exact sets and unique keys, grading's distinct()), where a node
// per key (std::unordered_*) costs an allocation, a cache miss and a free.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <utility>
#include <vector>
#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace dq {

// Big tables are probed at random: on 4 KiB pages nearly every probe also
// misses the TLB. Tables of 2 MiB and more ask Linux for huge pages (where
// transparent huge pages are on "madvise", the common default).
template <class T>
struct HugePageAllocator {
  using value_type = T;
  static constexpr std::size_t kHuge = std::size_t{2} << 20;
  HugePageAllocator() = default;
  template <class U>
  explicit HugePageAllocator(const HugePageAllocator<U>&) {}
  T* allocate(std::size_t n) {
    const std::size_t bytes = n * sizeof(T);
    if (bytes < kHuge) return std::allocator<T>().allocate(n);
    void* p = std::aligned_alloc(kHuge, (bytes + kHuge - 1) / kHuge * kHuge);
    if (p == nullptr) throw std::bad_alloc();
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    (void)madvise(p, bytes, MADV_HUGEPAGE);  // a hint: without it the table works on small pages
#endif
    return static_cast<T*>(p);
  }
  void deallocate(T* p, std::size_t n) {
    if (n * sizeof(T) < kHuge) return std::allocator<T>().deallocate(p, n);
    std::free(p);
  }
  template <class U>
  bool operator==(const HugePageAllocator<U>&) const {
    return true;
  }
};

// Each key's V. Every key is held exactly (0, the empty slot's mark, is kept
// apart), so the count and the values are those of a std::unordered_map.
template <class V>
class HashMap64 {
 public:
  // The value of `key` (made from `init` when the key is new) and whether it
  // is new. The pointer stays valid until the next call that adds a key.
  std::pair<V*, bool> try_emplace(std::uint64_t key, const V& init) {
    if (key == 0) {
      const bool fresh = !has_zero_;
      if (fresh) zero_ = init, has_zero_ = 1;
      return {&zero_, fresh};
    }
    if ((used_ + 1) * 4 > slots_.size() * 3) grow();
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = spread(key) & mask;; i = (i + 1) & mask) {
      Slot& s = slots_[i];
      if (s.key == key) return {&s.value, false};
      if (s.key == 0) {
        s.key = key;
        s.value = init;
        ++used_;
        return {&s.value, true};
      }
    }
  }
  std::size_t size() const { return used_ + (has_zero_ ? 1 : 0); }
  // Slots for `keys` keys at a quarter full (a fresh table, whose probes then
  // seldom meet another key: a probe that ends at its first slot predicts well).
  void reserve_sparse(std::size_t keys) {
    std::size_t slots = 8;
    while (slots < keys * 4) slots *= 2;
    if (used_ == 0 && slots > slots_.size()) slots_.assign(slots, Slot{});
  }
  // Asks the cache for the slot where a probe for `key` starts.
  void prefetch(std::uint64_t key) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[spread(key) & (slots_.size() - 1)]);
  }
  // Bytes the table holds (its slots), for memory accounting.
  std::size_t bytes() const { return slots_.capacity() * sizeof(Slot); }
  template <class F>  // f(key, value), in no particular order
  void for_each(F&& f) const {
    if (has_zero_) f(std::uint64_t{0}, zero_);
    for (const Slot& s : slots_) {
      if (s.key != 0) f(s.key, s.value);
    }
  }
  void clear() {
    slots_.clear();
    used_ = 0;
    has_zero_ = 0;
  }

 private:
  struct Slot {
    std::uint64_t key = 0;
    [[no_unique_address]] V value{};  // a set's slot is its key alone
  };
  // Keys are hashes already; one multiply spreads ones that differ only high up.
  static std::size_t spread(std::uint64_t key) {
    return static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ULL) >> 17 ^ key);
  }
  void grow() {
    std::vector<Slot, HugePageAllocator<Slot>> old = std::move(slots_);
    slots_.assign(old.empty() ? 8 : old.size() * 2, Slot{});
    const std::size_t mask = slots_.size() - 1;
    for (const Slot& s : old) {
      if (s.key == 0) continue;
      std::size_t i = spread(s.key) & mask;
      while (slots_[i].key != 0) i = (i + 1) & mask;
      slots_[i] = s;
    }
  }
  std::vector<Slot, HugePageAllocator<Slot>> slots_;
  // A set stays as small as a vector and a count (grading charges each
  // entity's sets to its state): the count and the flag share a word.
  std::uint64_t used_ : 63 = 0;  // slots holding a key
  std::uint64_t has_zero_ : 1 = 0;
  [[no_unique_address]] V zero_{};
};

// A set of 64-bit hashes.
class HashSet64 {
 public:
  // Adds `h`; returns the bytes the table grew by.
  std::size_t insert(std::uint64_t h) {
    const std::size_t before = map_.bytes();
    map_.try_emplace(h, Empty{});
    return map_.bytes() - before;
  }
  std::size_t size() const { return map_.size(); }
  void prefetch(std::uint64_t h) const { map_.prefetch(h); }
  template <class F>  // f(hash), in no particular order
  void for_each(F&& f) const {
    map_.for_each([&](std::uint64_t h, const Empty&) { f(h); });
  }
  void clear() { map_.clear(); }

 private:
  struct Empty {};
  HashMap64<Empty> map_;
  static_assert(sizeof(HashMap64<Empty>) == sizeof(std::vector<std::uint64_t>) + sizeof(std::uint64_t));
};

}  // namespace dq
