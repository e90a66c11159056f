# Writes weftd.json(5) from config/weftd.schema.json: every key of the config with its JSON
# pointer, type, range, choices, default and description, as the schema states them. Run at build
# time: cmake -DSCHEMA=... -DVERSION=... -DOUT=... -DSCHEMA_FILE=<installed path> -P this.
include("${CMAKE_CURRENT_LIST_DIR}/roff.cmake")
file(READ "${SCHEMA}" schema)

# The JSON of a node, with a "$ref": "#/$defs/NAME" followed once.
function(resolved node out)
    string(JSON ref ERROR_VARIABLE no_ref GET "${node}" "$ref")
    if(NOT no_ref AND ref MATCHES "^#/\\$defs/(.+)$")
        string(JSON node GET "${schema}" "$defs" "${CMAKE_MATCH_1}")
    endif()
    set(${out} "${node}" PARENT_SCOPE)
endfunction()

# Optional member of an object, empty if missing.
function(member node key out)
    string(JSON value ERROR_VARIABLE missing GET "${node}" "${key}")
    if(missing)
        set(value "")
    endif()
    set(${out} "${value}" PARENT_SCOPE)
endfunction()

# One .TP entry per key below `pointer`, then that key's own keys.
function(describe node pointer)
    resolved("${node}" node)
    member("${node}" properties properties)
    if(properties)
        string(JSON count LENGTH "${properties}")
        math(EXPR last "${count} - 1")
        foreach(i RANGE ${last})
            string(JSON key MEMBER "${properties}" ${i})
            string(JSON child GET "${properties}" "${key}")
            entry("${child}" "${pointer}/${key}")
        endforeach()
    endif()
    member("${node}" items items)
    if(items)
        entry("${items}" "${pointer}/N")
    endif()
    member("${node}" additionalProperties extra)
    if(extra MATCHES "^{")
        entry("${extra}" "${pointer}/NAME")
    endif()
    set(page "${page}" PARENT_SCOPE)
endfunction()

macro(add_fact text)
    if(facts)
        string(APPEND facts "; ")
    endif()
    string(APPEND facts "${text}")
endmacro()

function(entry node pointer)
    resolved("${node}" node)
    set(facts "")
    member("${node}" type type)
    if(type)
        add_fact("${type}")
    endif()
    member("${node}" enum choices)
    if(choices)
        string(JSON n LENGTH "${choices}")
        math(EXPR last "${n} - 1")
        set(names "")
        foreach(i RANGE ${last})
            string(JSON choice GET "${choices}" ${i})
            list(APPEND names "\"${choice}\"")
        endforeach()
        list(JOIN names ", " names)
        add_fact("one of ${names}")
    endif()
    member("${node}" minimum minimum)
    member("${node}" maximum maximum)
    if(NOT minimum STREQUAL "" AND NOT maximum STREQUAL "")
        add_fact("${minimum} to ${maximum}")
    elseif(NOT minimum STREQUAL "")
        add_fact("at least ${minimum}")
    endif()
    member("${node}" maxLength max_length)
    if(max_length)
        add_fact("at most ${max_length} bytes")
    endif()
    string(JSON default_type ERROR_VARIABLE no_default TYPE "${node}" default)
    if(NOT no_default)
        string(JSON default GET "${node}" default)
        if(default_type STREQUAL "STRING")
            set(default "\"${default}\"")
        elseif(default_type STREQUAL "BOOLEAN")
            string(TOLOWER "${default}" default)
        endif()
        add_fact("default ${default}")
    endif()
    member("${node}" description description)
    weft_roff_escape("${pointer}" pointer_roff)
    weft_roff_escape("${facts}" facts)
    weft_roff_escape("${description}" description)
    string(APPEND page ".TP\n.B ${pointer_roff}\n")
    if(facts)
        string(APPEND page "(${facts})\n")
    endif()
    if(description)
        string(APPEND page "${description}\n")
    endif()
    describe("${node}" "${pointer}")
    set(page "${page}" PARENT_SCOPE)
endfunction()

weft_roff_header(weftd.json 5 "${VERSION}" "File Formats" page)
member("${schema}" description overview)
weft_roff_escape("${overview}" overview)
string(APPEND page ".SH NAME
weftd.json \\- configuration file of weftd
.SH SYNOPSIS
.I ${CONFIG_FILE}
.SH DESCRIPTION
${overview}
.PP
The keys below are named by their JSON pointer, as
.B weftd check\\-config
names them in its errors;
.I N
stands for an array index and
.I NAME
for a name chosen in the file. Its JSON Schema (2020\\-12) is
.IR ${SCHEMA_FILE} .
.SH KEYS
")
describe("${schema}" "")
string(APPEND page ".SH SEE ALSO
.BR weftd (8)
")
file(WRITE "${OUT}" "${page}")
