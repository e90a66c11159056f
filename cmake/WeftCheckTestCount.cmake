# The check that CTest runs every Catch2 test case (the CTest test
# ctest_runs_every_catch2_test_case): each name that a suite binary lists with
# --list-test-names-only must be the name of exactly one CTest test. Fails naming the cases CTest
# would not run, and prints both counts.
#
# Variables: CTEST (the ctest program), BUILD_DIR (the build tree), SUITES (the suite
# executables, separated by '|').
string(ASCII 31 unit_separator)  # stands for ';' while names sit in CMake lists

execute_process(COMMAND "${CTEST}" --test-dir "${BUILD_DIR}" -N
                OUTPUT_VARIABLE ctest_output RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "ctest -N failed (${rc}):\n${ctest_output}")
endif()
string(REPLACE ";" "${unit_separator}" ctest_output "${ctest_output}")
string(REPLACE "\n" ";" ctest_lines "${ctest_output}")
set(ctest_names "\n")
set(ctest_count 0)
foreach(line IN LISTS ctest_lines)
    if(line MATCHES "^ *Test +#[0-9]+: (.*)$")
        string(APPEND ctest_names "${CMAKE_MATCH_1}\n")
        math(EXPR ctest_count "${ctest_count} + 1")
    endif()
endforeach()

string(REPLACE "|" ";" suites "${SUITES}")
set(catch_count 0)
set(registered 0)
set(missing "")
foreach(suite IN LISTS suites)
    execute_process(COMMAND "${suite}" --list-test-names-only
                    OUTPUT_VARIABLE names RESULT_VARIABLE listed)
    string(REPLACE ";" "${unit_separator}" names "${names}")
    string(REPLACE "\n" ";" names "${names}")
    foreach(name IN LISTS names)
        if(name STREQUAL "")
            continue()
        endif()
        math(EXPR catch_count "${catch_count} + 1")
        string(FIND "${ctest_names}" "\n${name}\n" at)
        if(at EQUAL -1)
            string(REPLACE "${unit_separator}" ";" name "${name}")
            get_filename_component(suite_name "${suite}" NAME)
            string(APPEND missing "  ${suite_name}: ${name}\n")
        else()
            math(EXPR registered "${registered} + 1")
        endif()
    endforeach()
endforeach()

message(STATUS "the Catch2 binaries list ${catch_count} test cases; CTest has ${registered} of "
               "them as tests (${ctest_count} CTest tests in all)")
if(NOT registered EQUAL catch_count)
    message(FATAL_ERROR "CTest would not run these test cases:\n${missing}")
endif()
