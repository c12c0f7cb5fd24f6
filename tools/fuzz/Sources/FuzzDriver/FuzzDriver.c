// Declarations only (include/FuzzDriver.h); the driver itself comes from libFuzzer.
#include "FuzzDriver.h"
