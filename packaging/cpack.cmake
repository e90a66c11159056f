# The Debian packages, built by CPack from the release preset (which installs to /usr):
#
#   cmake --workflow --preset release      # configure, build, then the packages below
#   cpack --config build/release/CPackConfig.cmake   # the packages again, from a built tree
#
# into build/release/packages/:
#   weft_<version>-1_<arch>.deb            the daemon (install component "daemon"): weftd, the
#                                          example plugins, the config (a conffile), the schema,
#                                          the unit and its maintainer scripts; Provides
#                                          weft-plugin-abi-<major>, which plugin packages depend on
#   weft-dev_<version>-1_all.deb           the plugin SDK (component "plugin-sdk"): headers, CMake
#                                          package and pkg-config file
#   libweft-runtime-dev_<version>-1_<arch>.deb  the runtime as a static library (component
#                                          "runtime-dev"): libweft-runtime.a, its public headers
#                                          and CMake package (find_package(WeftRuntime))
#   weft-dbgsym_<version>-1_<arch>.ddeb    the daemon's and plugins' debug info, split off
# packaging/check-deb.sh builds them and runs lintian on them.
set(CPACK_PACKAGE_NAME "weft")
set(CPACK_PACKAGE_VENDOR "weft developers")
set(CPACK_PACKAGE_CONTACT "weft developers <weft@example.org>")
# Each package's description (synopsis line, then the rest) is its component's, below. CPackDeb
# prepends the project-wide summary to it unless that is CPack's placeholder, so it is set to it.
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${CMAKE_PROJECT_NAME} built using CMake")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
set(CPACK_GENERATOR "DEB")
# The build folder, not wherever cpack happens to be run from.
set(CPACK_PACKAGE_DIRECTORY "${PROJECT_BINARY_DIR}/packages")
# Not CPACK_STRIP_FILES: the -dbgsym package is made from the unstripped files, which CPackDeb
# then strips (CPACK_DEBIAN_DAEMON_DEBUGINFO_PACKAGE).

set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL daemon plugin-sdk runtime-dev)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${CPACK_PACKAGE_CONTACT}")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
# Maintainer scripts must be 0755 and other control files 0644 whatever the checkout's modes.
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

# The plugin ABI's major version, read from plugin.h so that it is written down once. A plugin
# package depends on weft-plugin-abi-<major> (>= <major>.<minor>) for the calls it uses.
file(STRINGS "${PROJECT_SOURCE_DIR}/plugin-sdk/include/weft/plugin.h" weft_abi_lines
     REGEX "^#define WEFT_PLUGIN_ABI_(MAJOR|MINOR) [0-9]+$")
string(REGEX REPLACE ".*MAJOR ([0-9]+).*MINOR ([0-9]+).*" "\\1" WEFT_PLUGIN_ABI_MAJOR "${weft_abi_lines}")
string(REGEX REPLACE ".*MAJOR ([0-9]+).*MINOR ([0-9]+).*" "\\1.\\2" weft_abi_version
       "${weft_abi_lines}")

# --- weft: the daemon ----------------------------------------------------------------------------
set(CPACK_DEBIAN_DAEMON_PACKAGE_NAME "weft")
set(CPACK_DEBIAN_DAEMON_PACKAGE_SECTION "admin")
# Depends: computed by dpkg-shlibdeps from weftd and the plugins.
set(CPACK_DEBIAN_DAEMON_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_DAEMON_PACKAGE_PROVIDES "weft-plugin-abi-${WEFT_PLUGIN_ABI_MAJOR} (= ${weft_abi_version})")
set(CPACK_DEBIAN_DAEMON_DEBUGINFO_PACKAGE ON)
set(CPACK_COMPONENT_DAEMON_DESCRIPTION "daemon running task plugins on a Tokio-class async runtime
weftd is a long-running daemon that hosts an async runtime modelled on
Tokio (work-stealing scheduler, timers, blocking pool, channels,
semaphores, cancellation) and loads task plugins: shared libraries written
against a small C ABI, in C or in C++ through a header-only coroutine SDK.
Plugins spawn tasks, run jobs on schedules and talk to each other over
named channels.
.
This package holds weftd, its systemd unit (Type=notify, hardened), the
default configuration /etc/weft/weftd.json and its JSON Schema, and four
example plugins. It provides weft-plugin-abi-${WEFT_PLUGIN_ABI_MAJOR}, the plugin ABI that plugin
packages depend on.")
# /etc/weft/weftd.json is the operator's: a conffile, kept across upgrades. Debian's systemd
# conventions for the unit: enable and start it on install, restart on upgrade, stop on removal.
set(CPACK_DEBIAN_DAEMON_PACKAGE_CONTROL_EXTRA
    "${CMAKE_CURRENT_LIST_DIR}/debian/conffiles;${CMAKE_CURRENT_LIST_DIR}/debian/postinst;${CMAKE_CURRENT_LIST_DIR}/debian/prerm;${CMAKE_CURRENT_LIST_DIR}/debian/postrm")

# --- weft-dev: the plugin SDK --------------------------------------------------------------------
set(CPACK_DEBIAN_PLUGIN-SDK_PACKAGE_NAME "weft-dev")
set(CPACK_DEBIAN_PLUGIN-SDK_PACKAGE_SECTION "libdevel")
set(CPACK_DEBIAN_PLUGIN-SDK_PACKAGE_ARCHITECTURE "all")
set(CPACK_DEBIAN_PLUGIN-SDK_PACKAGE_SUGGESTS "weft (>= ${PROJECT_VERSION}), cmake, pkgconf | pkg-config")
set(CPACK_COMPONENT_PLUGIN-SDK_DESCRIPTION "plugin SDK for weft, the task-plugin daemon
Headers and build files to write plugins for weftd: weft/plugin.h, the C11
plugin ABI, and weft/plugin.hpp, a header-only C++20 SDK over it
(coroutines, typed channels, timers, semaphores, jobs). A CMake package
(find_package(WeftPluginSDK), weft_add_plugin()) and a pkg-config file
(weft-plugin-sdk) build a plugin with hidden visibility.
.
A plugin package built with it depends on
weft-plugin-abi-${WEFT_PLUGIN_ABI_MAJOR} (>= ${weft_abi_version}), which the weft package provides.")

# --- libweft-runtime-dev: the runtime as a library ---------------------------------------------
set(CPACK_DEBIAN_RUNTIME-DEV_PACKAGE_NAME "libweft-runtime-dev")
set(CPACK_DEBIAN_RUNTIME-DEV_PACKAGE_SECTION "libdevel")
# A static library: what its users link against is libuv (weft::runtime's interface says so).
set(CPACK_DEBIAN_RUNTIME-DEV_PACKAGE_DEPENDS "libuv1-dev")
set(CPACK_DEBIAN_RUNTIME-DEV_PACKAGE_SUGGESTS "cmake")
set(CPACK_COMPONENT_RUNTIME-DEV_DESCRIPTION "weft's Tokio-class async runtime as a C++20 library
The async runtime under weftd, for programs that want it without the
daemon: a work-stealing multi-thread scheduler and a current-thread one,
C++20 coroutine tasks, JoinHandle and JoinSet, a timer wheel (sleep,
interval, timeout), channels (mpsc, broadcast, watch, oneshot), Mutex,
RwLock, Semaphore, Notify, Barrier, CancellationToken, a blocking pool,
signals and TCP, UDP and Unix sockets over libuv.
.
This package holds the static library libweft-runtime.a, its public
headers and a CMake package: find_package(WeftRuntime) gives the target
weft::runtime.")

# --- Debian's files for each package: copyright and changelog ------------------------------------
set(WEFT_DEB_VERSION "${PROJECT_VERSION}-${CPACK_DEBIAN_PACKAGE_RELEASE}")
configure_file("${CMAKE_CURRENT_LIST_DIR}/debian/changelog.in"
               "${PROJECT_BINARY_DIR}/packaging/changelog.Debian" @ONLY)
# gzip -9n, as Debian's policy asks: no name or time stamp in the header, so builds reproduce.
execute_process(COMMAND gzip -9nf "${PROJECT_BINARY_DIR}/packaging/changelog.Debian"
                RESULT_VARIABLE weft_gzip_result)
if(NOT weft_gzip_result EQUAL 0)
    message(FATAL_ERROR "gzip -9n of the Debian changelog failed")
endif()
foreach(component_and_package "daemon|weft" "plugin-sdk|weft-dev" "runtime-dev|libweft-runtime-dev")
    string(REPLACE "|" ";" parts "${component_and_package}")
    list(GET parts 0 component)
    list(GET parts 1 package)
    # EXCLUDE_FROM_ALL: only the packages (CPack installs each component by name) carry them.
    install(FILES "${CMAKE_CURRENT_LIST_DIR}/debian/copyright"
                  "${PROJECT_BINARY_DIR}/packaging/changelog.Debian.gz"
            DESTINATION "${CMAKE_INSTALL_DATADIR}/doc/${package}" COMPONENT ${component}
            EXCLUDE_FROM_ALL)
endforeach()
# -fvisibility=hidden in a .pc file is a lintian error (it would leak a library's private flags
# into its users); weft-plugin-sdk.pc asks for it on purpose, as every plugin must be built so.
install(FILES "${CMAKE_CURRENT_LIST_DIR}/debian/weft-dev.lintian-overrides"
        DESTINATION "${CMAKE_INSTALL_DATADIR}/lintian/overrides" RENAME weft-dev
        COMPONENT plugin-sdk EXCLUDE_FROM_ALL)

include(CPack)
