// dq.monitor's and dq.History's native side: a backtest of a monitor over a
// series, and the metric history file.
#include <pybind11/stl.h>

#include "contract.h"
#include "convert.h"

namespace dq_python {

void bind_monitor(py::module_& m) {
  m.def(
      "backtest_monitor",
      [](const std::string& method, const std::map<std::string, double>& numbers, const std::vector<double>& seasons,
         const std::vector<std::string>& calendar_seasons, const std::string& direction,
         const std::vector<double>& values, const std::vector<std::int64_t>& at_micros) {
        dq::MonitorSettings settings;
        settings.numbers = numbers;
        settings.seasons = seasons;
        settings.calendar_seasons = calendar_seasons;
        if (direction == "up") {
          settings.direction = dq::MonitorDirection::kUp;
        } else if (direction == "down") {
          settings.direction = dq::MonitorDirection::kDown;
        } else if (direction != "both") {
          raise_status(dq::Status(dq::StatusCode::kInvalidArgument,
                                  "monitor: direction must be up, down or both, not '" + direction + "'"));
        }
        dq::Result<std::vector<dq::MonitorResult>> results = [&] {
          py::gil_scoped_release release;
          return dq::backtest_monitor(method, settings, values, at_micros);
        }();
        if (!results.ok()) raise_status(results.status());
        const double nan = std::numeric_limits<double>::quiet_NaN();
        std::vector<double> expected, low, high, score;
        std::vector<bool> anomaly, alert;
        std::vector<std::string> detail;
        for (const dq::MonitorResult& r : *results) {
          expected.push_back(r.expected.value_or(nan));
          low.push_back(r.expected_low.value_or(nan));
          high.push_back(r.expected_high.value_or(nan));
          score.push_back(r.score);
          anomaly.push_back(r.anomaly);
          alert.push_back(r.new_incident());
          detail.push_back(r.detail);
        }
        py::dict out;
        out["expected"] = expected;
        out["lower"] = low;
        out["upper"] = high;
        out["score"] = score;
        out["anomaly"] = anomaly;
        out["alert"] = alert;
        out["detail"] = detail;
        return out;
      },
      py::arg("method"), py::arg("numbers"), py::arg("seasons"), py::arg("calendar_seasons"), py::arg("direction"),
      py::arg("values"), py::arg("at_micros"));

  py::class_<dq::MetricHistory>(m, "MetricHistory")
      .def(py::init([](const std::string& path) {
             auto history = dq::MetricHistory::open(path);
             if (!history.ok()) raise_status(history.status());
             return std::move(*history);
           }),
           py::arg("path"))
      .def_static("default_path", &dq::MetricHistory::default_path)
      .def(
          "series",
          [](const dq::MetricHistory& h, const std::string& dataset, const std::string& metric, std::size_t limit) {
            auto series = h.series(dataset, metric, limit);
            if (!series.ok()) raise_status(series.status());
            return py::make_tuple(series->values, series->at_micros);
          },
          py::arg("dataset"), py::arg("metric"), py::arg("limit") = 0)
      .def(
          "names",
          [](const dq::MetricHistory& h, const std::string& dataset) {
            auto names = h.names(dataset);
            if (!names.ok()) raise_status(names.status());
            return *names;
          },
          py::arg("dataset") = "")
      .def(
          "append",
          [](dq::MetricHistory& h, const std::string& dataset, const std::string& version, std::int64_t at_micros,
             const std::map<std::string, double>& metrics) {
            dq::Status s = h.append(dataset, version, at_micros, metrics);
            if (!s.ok()) raise_status(s);
          },
          py::arg("dataset"), py::arg("version"), py::arg("at_micros"), py::arg("metrics"));
}

}  // namespace dq_python
