# The man pages' test (CTest man_pages_render_cleanly): each page renders with groff without a
# warning, weftd(8) documents every command (the nested ones too) and the exit codes, and
# weftd.json(5) every top-level section of the schema.
# Variables: MAN_DIR (where the build wrote weftd.8 and weftd.json.5), SCHEMA, GROFF.
foreach(page weftd.8 weftd.json.5)
    execute_process(COMMAND "${GROFF}" -man -Tutf8 -ww -z "${MAN_DIR}/${page}"
                    RESULT_VARIABLE rc ERROR_VARIABLE warnings)
    if(NOT rc EQUAL 0 OR NOT warnings STREQUAL "")
        message(FATAL_ERROR "groff on ${page} (${rc}):\n${warnings}")
    endif()
endforeach()
file(READ "${MAN_DIR}/weftd.8" weftd)
foreach(text [[.SS weftd run]] [[.SS weftd check\-config]] [[.SS weftd plugin inspect]]
             [[.SS weftd status]] [[.SS weftd metrics]] [[.SH EXIT STATUS]] [[configuration error]])
    string(FIND "${weftd}" "${text}" at)
    if(at EQUAL -1)
        message(FATAL_ERROR "weftd.8 lacks \"${text}\"")
    endif()
endforeach()
file(READ "${MAN_DIR}/weftd.json.5" config)
file(READ "${SCHEMA}" schema)
string(JSON count LENGTH "${schema}" properties)
math(EXPR last "${count} - 1")
foreach(i RANGE ${last})
    string(JSON key MEMBER "${schema}" properties ${i})
    string(FIND "${config}" ".B /${key}\n" at)
    if(at EQUAL -1)
        message(FATAL_ERROR "weftd.json.5 lacks the section /${key}")
    endif()
endforeach()
message(STATUS "weftd.8 and weftd.json.5 render cleanly and cover every command and section")
