# weft_add_test_suite(NAME DIR LIBS...)
#
# Builds every ${DIR}/*_test.cpp into one Catch2 executable NAME, linked with the shared Catch2 main
# (weft_catch_main) and LIBS, and registers each Catch2 test case as its own CTest test, labelled
# NAME, so `ctest -N` lists cases by name and a preset can select one suite with a label filter.
#
# The glob uses CONFIGURE_DEPENDS so that adding a *_test.cpp file needs no CMake edit.
#
# Test discovery runs cmake/WeftCatchAddTests.cmake rather than Catch2's own script, which split
# names containing ';' into tests that ran nothing. Each suite is recorded in the global property
# WEFT_TEST_SUITES for the check that CTest runs every test case (tests/CMakeLists.txt).
set(_CATCH_DISCOVER_TESTS_SCRIPT "${CMAKE_CURRENT_LIST_DIR}/WeftCatchAddTests.cmake")

function(weft_add_test_suite NAME DIR)
    file(GLOB sources CONFIGURE_DEPENDS "${DIR}/*_test.cpp")
    if(NOT sources)
        # A layer may have no tests yet; CONFIGURE_DEPENDS re-runs CMake once one appears.
        message(STATUS "weft: no *_test.cpp in ${DIR} yet; ${NAME} not built")
        return()
    endif()
    add_executable(${NAME} ${sources})
    target_link_libraries(${NAME} PRIVATE weft_catch_main ${ARGN})
    catch_discover_tests(${NAME} PROPERTIES LABELS ${NAME})
    # Discovery runs after each link: relink when the discovery script changes, so that a build
    # tree never keeps tests registered by an older script.
    set_property(TARGET ${NAME} APPEND PROPERTY LINK_DEPENDS "${_CATCH_DISCOVER_TESTS_SCRIPT}")
    set_property(GLOBAL APPEND PROPERTY WEFT_TEST_SUITES ${NAME})
endfunction()
