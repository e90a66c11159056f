// weftd: the weft daemon. Everything interesting lives in cli/ (one file per command) and below.
#include "cli/app.hpp"

int main(int argc, char** argv) { return weft::cli::run_app(argc, argv); }
