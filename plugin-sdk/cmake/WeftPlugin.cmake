# weft_add_plugin(NAME [SOURCES...]): builds a weft plugin, a MODULE library named NAME.so (no
# "lib" prefix, so the config says "path": "NAME.so"), linked to the plugin SDK (headers only).
#
# Only the entry symbol is exported (hidden visibility): a plugin's inline functions and template
# instances never collide with another plugin's or the daemon's. Outside sanitizer builds the
# link refuses undefined symbols (-z defs), which proves the plugin needs nothing from weftd.
function(weft_add_plugin name)
    add_library(${name} MODULE ${ARGN})
    target_link_libraries(${name} PRIVATE Weft::PluginSDK)
    set_target_properties(${name} PROPERTIES
        PREFIX ""
        C_VISIBILITY_PRESET hidden
        CXX_VISIBILITY_PRESET hidden
        VISIBILITY_INLINES_HIDDEN ON)
    if(NOT "${CMAKE_CXX_FLAGS} ${CMAKE_C_FLAGS}" MATCHES "-fsanitize"
       AND CMAKE_SYSTEM_NAME STREQUAL "Linux")
        target_link_options(${name} PRIVATE "LINKER:-z,defs")
    endif()
endfunction()
