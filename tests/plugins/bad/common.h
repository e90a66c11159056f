/* Shared by the purpose-built bad plugins: a descriptor whose ABI and hooks each test bends. */
#ifndef WEFT_TEST_BAD_COMMON_H
#define WEFT_TEST_BAD_COMMON_H

#include "weft/plugin.h"

static weft_status ok_init(const weft_init_args* args, void** instance, char* error,
                           size_t error_size) {
    (void)args;
    (void)error;
    (void)error_size;
    *instance = NULL;
    return WEFT_OK;
}

#endif
