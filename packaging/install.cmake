# Install layout (`cmake --install`), as DESIGN.md fixes it for a /usr prefix, and where it goes
# for any other prefix (component "daemon" unless said otherwise; the SDK is "plugin-sdk"):
#   /usr/bin/weftd                        <prefix>/bin/weftd            (daemon/CMakeLists.txt)
#   /etc/weft/weftd.json                  <prefix>/etc/weft/weftd.json  the default config
#   /usr/share/weft/weftd.schema.json     its JSON Schema (data, not a conffile)
#   /usr/share/weft/grafana/weft-dashboard.json   a Grafana dashboard of /metrics
#   /usr/lib/systemd/system/weftd.service
#   /usr/lib/weft/plugins/                (plugins/CMakeLists.txt installs into it)
#   /usr/share/man/man8/weftd.8.gz, /usr/share/man/man5/weftd.json.5.gz   (daemon/man/)
#   /usr/share/doc/weft/README.md
#
# The config follows GNUInstallDirs' rule for sysconfdir (/etc for the prefix /usr, <prefix>/etc
# for any other), applied when installing rather than when configuring: the release preset
# configures the prefix /usr, and `cmake --install build/release --prefix DIR` must stay inside
# DIR (staging, unprivileged installs). DESTDIR is honoured (file(INSTALL) prepends it).

# The shipped config's "$schema" points editors at the installed schema instead of the source
# tree's neighbour file.
file(READ "${PROJECT_SOURCE_DIR}/config/weftd.json" weft_config_text)
string(REPLACE [["$schema": "./weftd.schema.json"]]
       "\"$schema\": \"${CMAKE_INSTALL_FULL_DATADIR}/weft/weftd.schema.json\""
       weft_config_text "${weft_config_text}")
file(GENERATE OUTPUT "${PROJECT_BINARY_DIR}/packaging/weftd.json" CONTENT "${weft_config_text}")

install(CODE "
    if(CMAKE_INSTALL_PREFIX STREQUAL \"/usr\")
        set(weft_sysconfdir \"/etc\")
    else()
        set(weft_sysconfdir \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_SYSCONFDIR}\")
    endif()
    file(INSTALL DESTINATION \"\${weft_sysconfdir}/weft\" TYPE FILE
         FILES \"${PROJECT_BINARY_DIR}/packaging/weftd.json\")
    " COMPONENT daemon)
install(FILES "${PROJECT_SOURCE_DIR}/config/weftd.schema.json"
        DESTINATION "${CMAKE_INSTALL_DATADIR}/weft" COMPONENT daemon)
install(FILES "${PROJECT_SOURCE_DIR}/packaging/grafana/weft-dashboard.json"
        DESTINATION "${CMAKE_INSTALL_DATADIR}/weft/grafana" COMPONENT daemon)
# Not CMAKE_INSTALL_LIBDIR: on Debian that is lib/<multiarch>, where systemd does not look.
install(FILES "${PROJECT_SOURCE_DIR}/systemd/weftd.service" DESTINATION "lib/systemd/system"
        COMPONENT daemon)
install(FILES "${PROJECT_SOURCE_DIR}/README.md" DESTINATION "${CMAKE_INSTALL_DOCDIR}"
        COMPONENT daemon)
