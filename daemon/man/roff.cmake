# roff helpers for the man page generators of this folder.

# Text as roff prints it: backslashes escaped, hyphens as minus signs, and no line that starts
# with a control character ('.' or ''').
function(weft_roff_escape text out)
    string(REPLACE "\\" "\\e" text "${text}")
    string(REPLACE "-" "\\-" text "${text}")
    string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" text "${text}")
    set(${out} "${text}" PARENT_SCOPE)
endfunction()

# The page's header: name, section, the version it documents.
function(weft_roff_header name section version title out)
    string(TOUPPER "${name}" upper)
    set(${out} ".\\\" Generated at build time by daemon/man/: do not edit.
.TH ${upper} ${section} \"\" \"weft ${version}\" \"${title}\"
" PARENT_SCOPE)
endfunction()
