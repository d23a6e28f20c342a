/* The time module type: sleeping and timers on the event loop (see loop.h).
 * An ambient service: one implementation per image, so the device object is empty. */
#ifndef MIRAGE_TIME_H
#define MIRAGE_TIME_H

#include <mirage/loop.h>

struct mirage_time { int unused; };

int default_time_connect(struct mirage_time *out);

#endif
