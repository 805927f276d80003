// dq._core: the native module under the `dq` package. It translates between
// Python and the C++ API and nothing more; the package's Python layer shapes
// the results (dq/_api.py). Each file binds one part: contract.cpp (contracts,
// reports, profiles), grading.cpp, gate.cpp, monitor.cpp, governance.cpp; convert.cpp holds the conversions.
#include <pybind11/pybind11.h>

#include "contract.h"
#include "dq/version.h"

PYBIND11_MODULE(_core, m) {
  m.doc() = "dq's native engine (use the `dq` package)";
  m.attr("__version__") = DQ_VERSION_STRING;
  dq_python::bind_contract(m);
  dq_python::bind_grading(m);
  dq_python::bind_gate(m);
  dq_python::bind_monitor(m);
  dq_python::bind_governance(m);
}
