# The out-of-tree SDK test (a CTest test): install the SDK from this build into a temporary
# prefix, build a plugin project against it with find_package(WeftPluginSDK) and the same plugins
# with pkg-config alone, check that both ways export the same symbols, then ask weftd to inspect
# what was built.
#
# Variables: BUILD_DIR (weft's build tree), WORK_DIR (scratch), PROJECT_DIR, GENERATOR,
# MAKE_PROGRAM, C_COMPILER, CXX_COMPILER, WEFTD.
cmake_minimum_required(VERSION 3.20)

include(${CMAKE_CURRENT_LIST_DIR}/../../../cmake/WeftRunChecked.cmake)

file(REMOVE_RECURSE ${WORK_DIR})
set(prefix ${WORK_DIR}/prefix)

# 1. Install the SDK component only.
run(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix} --component plugin-sdk)
foreach(f include/weft/plugin.h include/weft/plugin.hpp include/weft/sdk/task.hpp
          share/cmake/WeftPluginSDK/WeftPluginSDKConfig.cmake share/pkgconfig/weft-plugin-sdk.pc
          share/pkgconfig/weft-plugin-sdk-cxx.pc)
    if(NOT EXISTS ${prefix}/${f})
        message(FATAL_ERROR "the SDK install lacks ${f}")
    endif()
endforeach()

# 2. A CMake project using find_package(WeftPluginSDK).
run(${CMAKE_COMMAND} -S ${PROJECT_DIR} -B ${WORK_DIR}/build -G ${GENERATOR}
    -DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM} -DCMAKE_C_COMPILER=${C_COMPILER}
    -DCMAKE_CXX_COMPILER=${CXX_COMPILER} -DCMAKE_PREFIX_PATH=${prefix}
    -DCMAKE_BUILD_TYPE=Release)
run(${CMAKE_COMMAND} --build ${WORK_DIR}/build)
run(${CMAKE_COMMAND} --install ${WORK_DIR}/build --prefix ${WORK_DIR}/installed)

# 3. The same C plugin and the README's C++ plugin built with the compiler and pkg-config alone,
#    with the optimisation flags of CMake's Release build type, as the project above.
run(${CMAKE_COMMAND} -E env PKG_CONFIG_PATH=${prefix}/share/pkgconfig
    pkg-config --cflags weft-plugin-sdk)
separate_arguments(cflags UNIX_COMMAND "${last_output}")
run(${C_COMPILER} ${cflags} -std=c11 -O3 -DNDEBUG -Wall -Wextra -Werror -shared -fPIC
    -o ${WORK_DIR}/hello_pc.so ${PROJECT_DIR}/hello_c.c)
run(${CMAKE_COMMAND} -E env PKG_CONFIG_PATH=${prefix}/share/pkgconfig
    pkg-config --cflags weft-plugin-sdk-cxx)
separate_arguments(cxxflags UNIX_COMMAND "${last_output}")
run(${CXX_COMPILER} ${cxxflags} -std=c++20 -O3 -DNDEBUG -Wall -Wextra -Werror -shared -fPIC
    -o ${WORK_DIR}/greeter_pc.so ${PROJECT_DIR}/greeter.cpp)

# 4. Both ways export the same dynamic symbols: the pkg-config flags hide what
#    weft_add_plugin() hides (without them a C++ plugin exports hundreds of inline functions).
function(exported_symbols file out)
    run(nm -D --defined-only --format=posix ${file})
    string(REGEX REPLACE " [^\n]*" "" names "${last_output}")  # keep the names
    string(REPLACE "\n" ";" names "${names}")
    list(REMOVE_ITEM names "")
    list(SORT names)
    set(${out} "${names}" PARENT_SCOPE)
endfunction()
foreach(pair "build/hello_c.so|hello_pc.so" "build/greeter.so|greeter_pc.so")
    string(REPLACE "|" ";" pair "${pair}")
    list(GET pair 0 with_cmake)
    list(GET pair 1 with_pkg_config)
    exported_symbols(${WORK_DIR}/${with_cmake} cmake_symbols)
    exported_symbols(${WORK_DIR}/${with_pkg_config} pc_symbols)
    list(LENGTH cmake_symbols cmake_count)
    list(LENGTH pc_symbols pc_count)
    message(STATUS "exported symbols: ${with_cmake} ${cmake_count}, ${with_pkg_config} ${pc_count}")
    if(NOT cmake_symbols STREQUAL pc_symbols)
        string(REPLACE ";" "\n  " cmake_symbols "${cmake_symbols}")
        string(REPLACE ";" "\n  " pc_symbols "${pc_symbols}")
        message(FATAL_ERROR "${with_pkg_config} (pkg-config) exports other symbols than "
                            "${with_cmake} (weft_add_plugin):\n"
                            "pkg-config:\n  ${pc_symbols}\ncmake:\n  ${cmake_symbols}")
    endif()
    if(NOT "weft_plugin_entry" IN_LIST pc_symbols)
        message(FATAL_ERROR "${with_pkg_config} does not export weft_plugin_entry")
    endif()
endforeach()

# 5. weftd loads each and reads its descriptor.
foreach(plugin "build/hello.so|hello|0.0.1" "build/hello_c.so|hello-c|0.0.2"
               "build/greeter.so|greeter|1.0.0"
               "installed/lib/weft/plugins/hello.so|hello|0.0.1" "hello_pc.so|hello-c|0.0.2"
               "greeter_pc.so|greeter|1.0.0")
    string(REPLACE "|" ";" parts "${plugin}")
    list(GET parts 0 file)
    list(GET parts 1 name)
    list(GET parts 2 version)
    if(NOT EXISTS ${WORK_DIR}/${file})
        message(FATAL_ERROR "${file} was not built")
    endif()
    if(WEFTD)
        run(${WEFTD} plugin inspect ${WORK_DIR}/${file})
        if(NOT last_output MATCHES "name: +${name}\n" OR NOT last_output MATCHES "version: +${version}\n")
            message(FATAL_ERROR "weftd plugin inspect ${file}:\n${last_output}")
        endif()
    endif()
endforeach()
message(STATUS "out-of-tree plugins built and inspected")
