# The out-of-tree runtime test (a CTest test): install the runtime library from this build into a
# temporary prefix (component runtime-dev only), build examples/runtime against it with
# find_package(WeftRuntime), compile each public header of the package on its own, and run the
# example.
#
# Variables: BUILD_DIR (weft's build tree), WORK_DIR (scratch), PROJECT_DIR (examples/runtime),
# GENERATOR, MAKE_PROGRAM, CXX_COMPILER.
cmake_minimum_required(VERSION 3.20)

include(${CMAKE_CURRENT_LIST_DIR}/../../../cmake/WeftRunChecked.cmake)

file(REMOVE_RECURSE ${WORK_DIR})
set(prefix ${WORK_DIR}/prefix)

# 1. Install the runtime-dev component only: the library, its headers, its CMake package.
run(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix} --component runtime-dev)
file(GLOB_RECURSE configs ${prefix}/*/WeftRuntimeConfig.cmake)
file(GLOB_RECURSE archives ${prefix}/*/libweft-runtime.a)
if(NOT configs OR NOT archives OR NOT EXISTS ${prefix}/include/weft-runtime/runtime/runtime.hpp)
    message(FATAL_ERROR "the runtime install lacks its package, library or runtime.hpp")
endif()
# Nothing of the daemon, the host or the plugin SDK comes with it.
file(GLOB_RECURSE stray ${prefix}/bin/* ${prefix}/include/weft/* ${prefix}/include/weft-runtime/host/*)
if(stray)
    message(FATAL_ERROR "the runtime-dev component installs more than the runtime: ${stray}")
endif()
# Internals no public header reaches stay out (the multi_thread scheduler's worker, its queue).
foreach(internal scheduler/multi_thread/worker.hpp scheduler/multi_thread/queue.hpp)
    if(EXISTS ${prefix}/include/weft-runtime/runtime/${internal})
        message(FATAL_ERROR "the runtime-dev component installs the internal header ${internal}")
    endif()
endforeach()

# 2. The example, with every public header compiled on its own.
run(${CMAKE_COMMAND} -S ${PROJECT_DIR} -B ${WORK_DIR}/build -G ${GENERATOR}
    -DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM} -DCMAKE_CXX_COMPILER=${CXX_COMPILER}
    -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_BUILD_TYPE=Release -DWEFT_CHECK_HEADERS=ON)
run(${CMAKE_COMMAND} --build ${WORK_DIR}/build)

# 3. It runs and prints what it computed.
run(${WORK_DIR}/build/word_lengths)
if(NOT last_output MATCHES "total length: 32 from 6 words")
    message(FATAL_ERROR "word_lengths printed:\n${last_output}")
endif()
message(STATUS "examples/runtime built against the installed WeftRuntime package and ran")
