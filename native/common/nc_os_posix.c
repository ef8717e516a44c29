/* nc_os on POSIX threads: used by the Linux host tests (tools/native/test.sh) to run the native cores with real
 * concurrency (a test thread plays the NimBLE / Wi-Fi / socket task, another plays the XS task). */
#define _POSIX_C_SOURCE 200809L
#include "nc_os.h"

#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdlib.h>
#include <time.h>

struct nc_sem { sem_t sem; };
struct nc_mutex { pthread_mutex_t mutex; };

nc_sem *nc_sem_create(void) {
    nc_sem *s = calloc(1, sizeof *s);
    if (s && sem_init(&s->sem, 0, 0) != 0) { free(s); s = NULL; }
    return s;
}

bool nc_sem_take(nc_sem *s, uint32_t timeout_ms) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += timeout_ms / 1000;
    ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) { ts.tv_sec += 1; ts.tv_nsec -= 1000000000L; }
    for (;;) {
        if (sem_timedwait(&s->sem, &ts) == 0) return true;
        if (errno != EINTR) return false;
    }
}

void nc_sem_give(nc_sem *s) {
    /* Binary semantics like xSemaphoreGive: a second give before a take is dropped. */
    int value = 0;
    sem_getvalue(&s->sem, &value);
    if (value == 0) sem_post(&s->sem);
}

void nc_sem_delete(nc_sem *s) { if (s) { sem_destroy(&s->sem); free(s); } }

nc_mutex *nc_mutex_create(void) {
    nc_mutex *m = calloc(1, sizeof *m);
    if (m) pthread_mutex_init(&m->mutex, NULL);
    return m;
}
void nc_mutex_lock(nc_mutex *m) { pthread_mutex_lock(&m->mutex); }
void nc_mutex_unlock(nc_mutex *m) { pthread_mutex_unlock(&m->mutex); }
void nc_mutex_delete(nc_mutex *m) { if (m) { pthread_mutex_destroy(&m->mutex); free(m); } }

struct trampoline { void (*fn)(void *); void *arg; };
static void *run(void *p) {
    struct trampoline t = *(struct trampoline *)p;
    free(p);
    t.fn(t.arg);
    return NULL;
}

bool nc_task_start(const char *name, uint32_t stack_bytes, int priority, void (*fn)(void *), void *arg) {
    (void)name; (void)stack_bytes; (void)priority;
    struct trampoline *t = malloc(sizeof *t);
    if (!t) return false;
    t->fn = fn; t->arg = arg;
    pthread_t th;
    if (pthread_create(&th, NULL, run, t) != 0) { free(t); return false; }
    pthread_detach(th);
    return true;
}

void nc_delay_ms(uint32_t ms) {
    struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {}
}
