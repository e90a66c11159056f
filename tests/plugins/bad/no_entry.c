/* A shared library that is not a weft plugin: it exports no weft_plugin_entry. */
__attribute__((visibility("default"))) int not_a_weft_plugin(void) { return 42; }
