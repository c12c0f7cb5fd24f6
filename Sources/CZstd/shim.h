// Debian's libzstd (package libzstd-dev): the one-shot compression API.
#include <zstd.h>
