// The one Catch2 main shared by every test suite: compiled once, linked into each *_tests binary.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
