# CPack: `cpack --config build/release/CPackConfig.cmake -G DEB` makes weft_<version>_<arch>.deb.
# Build the release preset first; it installs to /usr, which is what the package lays out.
set(CPACK_PACKAGE_NAME "weft")
set(CPACK_PACKAGE_VENDOR "weft developers")
set(CPACK_PACKAGE_CONTACT "weft developers <weft@example.org>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
set(CPACK_GENERATOR "DEB")

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${CPACK_PACKAGE_CONTACT}")
set(CPACK_DEBIAN_PACKAGE_SECTION "admin")
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libuv1, libspdlog1.10, libfmt9, libsystemd0")
# Operators edit /etc/weft/weftd.json: mark it a conffile so upgrades keep their changes.
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA "${CMAKE_CURRENT_LIST_DIR}/debian/conffiles")

include(CPack)
