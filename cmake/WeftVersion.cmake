# Generates weft/version.hpp in the build tree: the project version, the git revision of the source
# tree at configure time ("unknown" outside a git checkout), the plugin directories and the
# installed config file.
#
# The revision is read when CMake configures, not at every build: re-run CMake to refresh it. That
# keeps incremental builds from recompiling everything after each commit.
find_package(Git QUIET)
set(WEFT_GIT_REVISION "unknown")
if(GIT_FOUND)
    execute_process(
        COMMAND "${GIT_EXECUTABLE}" describe --always --dirty
        WORKING_DIRECTORY "${PROJECT_SOURCE_DIR}"
        OUTPUT_VARIABLE git_revision
        OUTPUT_STRIP_TRAILING_WHITESPACE
        RESULT_VARIABLE git_result
        ERROR_QUIET)
    if(git_result EQUAL 0 AND git_revision)
        set(WEFT_GIT_REVISION "${git_revision}")
    endif()
endif()

# Where an installed weftd looks for plugins, and where the build tree puts them.
# WEFT_PLUGIN_INSTALL_DIR (relative to the prefix) is set by the top-level CMakeLists.txt.
set(WEFT_INSTALL_PLUGIN_DIR "${CMAKE_INSTALL_PREFIX}/${WEFT_PLUGIN_INSTALL_DIR}")
set(WEFT_BUILD_PLUGIN_DIR "${PROJECT_BINARY_DIR}/plugins")
# Where packaging/install.cmake installs the default config.
set(WEFT_INSTALL_CONFIG_FILE "${CMAKE_INSTALL_FULL_SYSCONFDIR}/weft/weftd.json")

set(WEFT_GENERATED_INCLUDE_DIR "${PROJECT_BINARY_DIR}/generated")
configure_file("${CMAKE_CURRENT_LIST_DIR}/version.hpp.in"
               "${WEFT_GENERATED_INCLUDE_DIR}/weft/version.hpp" @ONLY)
