# Builds dq as a shared library (hidden visibility, DQ_EXPORT on the public
# API), links the command line and the consumer against it, and checks that
# the library's insides stay out of its dynamic symbol table.
file(REMOVE_RECURSE ${WORK_DIR})
execute_process(COMMAND ${CMAKE_COMMAND} -S ${DQ_SOURCE_DIR} -B ${WORK_DIR}/dq -G Ninja
                        -DBUILD_SHARED_LIBS=ON -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS=-O0 -g0"
                        -DDQ_BUILD_TESTS=OFF -DDQ_BUILD_BENCHMARKS=OFF -DDQ_BUILD_CLI=ON -DDQ_INSTALL=ON
                RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "configuring the shared library failed: ${rc}")
endif()
# Linking the command line proves every public symbol it calls is exported.
execute_process(COMMAND ${CMAKE_COMMAND} --build ${WORK_DIR}/dq RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "building the shared library and the command line failed: ${rc}")
endif()
execute_process(COMMAND ${WORK_DIR}/dq/dq validate -c ${DQ_SOURCE_DIR}/contracts/github_events.yaml
                        ${DQ_SOURCE_DIR}/examples/data/github_events.json
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0 AND NOT rc EQUAL 1)  # 1: invalid records, still a run
  message(FATAL_ERROR "the shared command line failed (${rc}): ${err}")
endif()
if(NOT out MATCHES "records")
  message(FATAL_ERROR "the shared command line printed no report: ${out}")
endif()
execute_process(COMMAND nm -DC --defined-only ${WORK_DIR}/dq/libdq.so OUTPUT_VARIABLE symbols RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "nm failed: ${rc}")
endif()
# A symbol named by a private type (std's templates instantiated over one may stay).
string(REPLACE "\n" ";" symbol_lines "${symbols}")
foreach(line IN LISTS symbol_lines)
  if(line MATCHES "^[0-9a-f]+ [A-Za-z] (dq::(Program|ContractAccess|compiling::|spec::|Walker|Profiler::)[^ ]*)")
    message(FATAL_ERROR "libdq.so exports a private symbol: ${CMAKE_MATCH_1}")
  endif()
endforeach()
string(FIND "${symbols}" "dq::Contract::load_file" at)
if(at EQUAL -1)
  message(FATAL_ERROR "libdq.so does not export dq::Contract::load_file")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -DDQ_BINARY_DIR=${WORK_DIR}/dq -DCONSUMER_SOURCE_DIR=${CONSUMER_SOURCE_DIR}
                        -DWORK_DIR=${WORK_DIR}/consumer -DCONTRACT=${DQ_SOURCE_DIR}/contracts/github_events.yaml
                        -P ${CONSUMER_SOURCE_DIR}/check.cmake
                RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "the consumer against the shared library failed: ${rc}")
endif()
