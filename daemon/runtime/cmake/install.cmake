# The runtime as a library for programs that want it without the daemon (component "runtime-dev",
# the libweft-runtime-dev package):
#   <prefix>/lib/<multiarch>/libweft-runtime.a
#   <prefix>/include/weft-runtime/runtime/...        the public headers and what they include
#   <prefix>/lib/<multiarch>/cmake/WeftRuntime/      find_package(WeftRuntime), target weft::runtime
#
# Public headers are the ones listed below: a user includes those (`#include <runtime/runtime.hpp>`)
# and nothing else. The headers they include are installed too (a header that does not compile
# alone is of no use), but only these are promised; scheduler, driver and queue internals that no
# public header reaches are not installed at all. The list is handed to the package
# (WeftRuntime_PUBLIC_HEADERS), and the out-of-tree test compiles each on its own.
set(WEFT_RUNTIME_PUBLIC_HEADERS
    runtime/runtime.hpp runtime/handle.hpp runtime/builder.hpp runtime/config.hpp
    runtime/limits.hpp
    runtime/task/task.hpp runtime/task/join_handle.hpp runtime/task/join_set.hpp
    runtime/task/abort_handle.hpp runtime/task/join_error.hpp runtime/task/task_id.hpp
    runtime/task/yield_now.hpp runtime/task/unconstrained.hpp runtime/task/pollable.hpp
    runtime/task/join.hpp
    runtime/time/time.hpp runtime/time/instant.hpp runtime/time/interval.hpp
    runtime/time/pause.hpp runtime/time/sleep.hpp runtime/time/timeout.hpp
    runtime/sync/sync.hpp runtime/sync/barrier.hpp runtime/sync/broadcast.hpp
    runtime/sync/cancellation_token.hpp runtime/sync/mpmc.hpp runtime/sync/mpsc.hpp
    runtime/sync/mutex.hpp runtime/sync/notify.hpp runtime/sync/oneshot.hpp
    runtime/sync/rwlock.hpp runtime/sync/semaphore.hpp runtime/sync/watch.hpp
    runtime/sync/result.hpp runtime/sync/error.hpp
    runtime/blocking/spawn_blocking.hpp runtime/blocking/block_in_place.hpp
    runtime/signal/signal.hpp
    runtime/net/net.hpp
    runtime/pool/pool.hpp runtime/pool/tcp_pool.hpp
    runtime/metrics/metrics.hpp)

# Which headers to install: the public ones and every runtime header they include, transitively
# (read from their #include "runtime/..." lines, at configure time).
set(weft_runtime_headers "")
set(weft_runtime_todo "${WEFT_RUNTIME_PUBLIC_HEADERS}")
set(WEFT_RUNTIME_INSTALLED_PUBLIC_HEADERS "${WEFT_RUNTIME_PUBLIC_HEADERS}")
while(weft_runtime_todo)
    list(POP_FRONT weft_runtime_todo header)
    if(header IN_LIST weft_runtime_headers)
        continue()
    endif()
    set(file "${PROJECT_SOURCE_DIR}/daemon/${header}")
    if(NOT EXISTS "${file}")
        message(FATAL_ERROR "${header}, a public runtime header or one it includes, does not exist")
    endif()
    list(APPEND weft_runtime_headers "${header}")
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${file}")
    file(STRINGS "${file}" includes REGEX "^#include \"runtime/[^\"]+\"")
    foreach(line IN LISTS includes)
        string(REGEX REPLACE "^#include \"(runtime/[^\"]+)\".*" "\\1" included "${line}")
        list(APPEND weft_runtime_todo "${included}")
    endforeach()
endwhile()
list(SORT weft_runtime_headers)

foreach(header IN LISTS weft_runtime_headers)
    get_filename_component(dir "${header}" DIRECTORY)
    install(FILES "${PROJECT_SOURCE_DIR}/daemon/${header}"
            DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}/weft-runtime/${dir}" COMPONENT runtime-dev
            EXCLUDE_FROM_ALL)
endforeach()

# EXCLUDE_FROM_ALL: `cmake --install` of the daemon (and its .deb) stays as it was; the library is
# installed with --component runtime-dev, and CPack builds its package by component.
include(CMakePackageConfigHelpers)
set(weft_runtime_cmake_dir "${CMAKE_INSTALL_LIBDIR}/cmake/WeftRuntime")
install(TARGETS weft_runtime EXPORT WeftRuntimeTargets
        ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}" COMPONENT runtime-dev EXCLUDE_FROM_ALL)
install(EXPORT WeftRuntimeTargets NAMESPACE weft:: DESTINATION "${weft_runtime_cmake_dir}"
        COMPONENT runtime-dev EXCLUDE_FROM_ALL)
configure_package_config_file("${CMAKE_CURRENT_LIST_DIR}/WeftRuntimeConfig.cmake.in"
    "${CMAKE_CURRENT_BINARY_DIR}/WeftRuntimeConfig.cmake"
    INSTALL_DESTINATION "${weft_runtime_cmake_dir}"
    PATH_VARS CMAKE_INSTALL_INCLUDEDIR)
write_basic_package_version_file("${CMAKE_CURRENT_BINARY_DIR}/WeftRuntimeConfigVersion.cmake"
    VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES "${CMAKE_CURRENT_BINARY_DIR}/WeftRuntimeConfig.cmake"
              "${CMAKE_CURRENT_BINARY_DIR}/WeftRuntimeConfigVersion.cmake"
        DESTINATION "${weft_runtime_cmake_dir}" COMPONENT runtime-dev EXCLUDE_FROM_ALL)
