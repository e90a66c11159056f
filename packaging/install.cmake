# Install layout (`cmake --install`), as DESIGN.md fixes it for a /usr prefix:
#   /usr/bin/weftd                       (daemon/CMakeLists.txt)
#   /etc/weft/weftd.json                 the default config, and its schema beside it
#   /usr/lib/systemd/system/weftd.service
#   /usr/lib/weft/plugins/               (plugins/CMakeLists.txt installs into it)
#   /usr/share/doc/weft/README.md
#
# The config goes to the *full* sysconfdir: GNUInstallDirs maps it to /etc when the prefix is
# /usr (and to <prefix>/etc otherwise), which the relative CMAKE_INSTALL_SYSCONFDIR would not.
install(FILES
    "${PROJECT_SOURCE_DIR}/config/weftd.json"
    "${PROJECT_SOURCE_DIR}/config/weftd.schema.json"
    DESTINATION "${CMAKE_INSTALL_FULL_SYSCONFDIR}/weft")
# Not CMAKE_INSTALL_LIBDIR: on Debian that is lib/<multiarch>, where systemd does not look.
install(FILES "${PROJECT_SOURCE_DIR}/systemd/weftd.service" DESTINATION "lib/systemd/system")
install(FILES "${PROJECT_SOURCE_DIR}/README.md" DESTINATION "${CMAKE_INSTALL_DOCDIR}")
