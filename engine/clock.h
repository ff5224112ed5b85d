/* Monotonic wall-clock time, for timing runs. */
#ifndef SFEW_CLOCK_H
#define SFEW_CLOCK_H

/* Seconds from an arbitrary fixed point, monotonic. */
double sfew_clock(void);

#endif
