# Run at build time by catch_discover_tests() (cmake/WeftTesting.cmake points Catch.cmake at this
# file instead of Catch2's CatchAddTests.cmake): lists a Catch2 v2 executable's test cases and
# writes the CTest file that registers each as its own test.
#
# Why not Catch2's script: it turns the listing into a CMake list, so a test name containing ';'
# became two CTest tests that match nothing and pass without running. Here every name stays one
# string: ';' is swapped for the ASCII unit separator (which no test name holds) while the lines
# are a list, and each name is written back whole inside a bracket argument, which CTest never
# splits.
#
# Variables (from Catch.cmake): TEST_EXECUTABLE, TEST_EXECUTOR, TEST_WORKING_DIR, TEST_SPEC,
# TEST_EXTRA_ARGS, TEST_PROPERTIES, TEST_PREFIX, TEST_SUFFIX, CTEST_FILE. Catch.cmake's REPORTER
# and OUTPUT_DIR options are not supported (weft uses neither).
if(TEST_REPORTER OR TEST_OUTPUT_DIR)
    message(FATAL_ERROR "WeftCatchAddTests.cmake: REPORTER and OUTPUT_DIR are not supported")
endif()
if(NOT EXISTS "${TEST_EXECUTABLE}")
    message(FATAL_ERROR "Specified test executable '${TEST_EXECUTABLE}' does not exist")
endif()
execute_process(
    COMMAND ${TEST_EXECUTOR} "${TEST_EXECUTABLE}" ${TEST_SPEC} --list-test-names-only
    OUTPUT_VARIABLE output
    RESULT_VARIABLE result
    WORKING_DIRECTORY "${TEST_WORKING_DIR}")
# --list-test-names-only exits with the number of test cases listed.
if(result EQUAL 0)
    message(WARNING "Test executable '${TEST_EXECUTABLE}' contains no tests!")
elseif(NOT result MATCHES "^[0-9]+$")
    message(FATAL_ERROR "Error running test executable '${TEST_EXECUTABLE}': ${result}\n${output}")
endif()

# A bracket argument that holds any text: as many '=' as needed to not meet its own closing.
function(weft_bracket text out)
    set(equals "=")
    while(text MATCHES "\\]${equals}\\]")
        string(APPEND equals "=")
    endwhile()
    set(${out} "[${equals}[${text}]${equals}]" PARENT_SCOPE)
endfunction()

string(ASCII 31 unit_separator)
string(REPLACE ";" "${unit_separator}" output "${output}")
string(REPLACE "\n" ";" lines "${output}")
set(script "")
set(extra_args "")
foreach(arg IN LISTS TEST_EXTRA_ARGS)
    weft_bracket("${arg}" quoted)
    string(APPEND extra_args " ${quoted}")
endforeach()
set(properties "")
foreach(arg IN LISTS TEST_PROPERTIES)
    weft_bracket("${arg}" quoted)
    string(APPEND properties " ${quoted}")
endforeach()
foreach(line IN LISTS lines)
    string(REGEX REPLACE "\r$" "" line "${line}")
    if(line STREQUAL "")
        continue()
    endif()
    string(REPLACE "${unit_separator}" ";" name "${line}")
    # The test spec Catch2 parses: ',', '[' and ']' are its syntax, '\' escapes them.
    set(spec "${name}")
    foreach(char "\\" "," "[" "]")
        string(REPLACE "${char}" "\\${char}" spec "${spec}")
    endforeach()
    weft_bracket("${TEST_PREFIX}${name}${TEST_SUFFIX}" test)
    weft_bracket("${spec}" spec)
    weft_bracket("${TEST_EXECUTABLE}" executable)
    weft_bracket("${TEST_WORKING_DIR}" working_dir)
    set(executor "")
    foreach(arg IN LISTS TEST_EXECUTOR)
        weft_bracket("${arg}" quoted)
        string(APPEND executor " ${quoted}")
    endforeach()
    string(APPEND script "add_test(${test}${executor} ${executable} ${spec}${extra_args})\n")
    string(APPEND script
           "set_tests_properties(${test} PROPERTIES WORKING_DIRECTORY ${working_dir}${properties})\n")
endforeach()
file(WRITE "${CTEST_FILE}" "${script}")
