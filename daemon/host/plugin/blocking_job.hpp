// The blocking-pool part of the host function table (weft_blocking_*).
#pragma once

#include "weft/plugin.h"

namespace weft::host {

void fill_blocking_api(weft_host_api& api) noexcept;

}  // namespace weft::host
