/* Reading the REPL's input lines: readline (editing, history, completion) on a terminal,
 * plain lines otherwise. On a terminal Ctrl-C at the prompt drops the line being typed
 * (and any unfinished statement) instead of ending the program. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "host.h"

#define HISTORY_FILE ".sfewlua_history"
#define HISTORY_MAX 1000

/* Signal handlers and readline's callback interface keep no user pointer, so the state
 * they share with the reading loop lives here, as lua.c keeps its globalL. */
static volatile sig_atomic_t prompt_interrupted;
static char *cb_line;
static int cb_done;

static void on_prompt_sigint(int sig)
{
    (void)sig;
    prompt_interrupted = 1;
}

static void on_line(char *line)
{
    cb_line = line;
    cb_done = 1;
    rl_callback_handler_remove(); /* so readline does not show the prompt again */
}

static char *read_plain(void)
{
    size_t cap = 256, len = 0;
    char *buf = malloc(cap);
    if (!buf)
        return NULL;
    int c;
    while ((c = getchar()) != EOF && c != '\n') {
        if (len + 1 >= cap) {
            char *nb = realloc(buf, cap *= 2);
            if (!nb) {
                free(buf);
                return NULL;
            }
            buf = nb;
        }
        buf[len++] = (char)c;
    }
    if (c == EOF && len == 0) {
        free(buf);
        return NULL;
    }
    buf[len] = '\0';
    return buf;
}

/* Drops the half-typed line after Ctrl-C and leaves the terminal as readline found it. */
static void cancel_line(void)
{
    prompt_interrupted = 0;
    rl_free_line_state();
    rl_callback_sigcleanup();
    rl_replace_line("", 0);
    rl_point = rl_end = 0;
    fputs("^C", stdout);
    rl_crlf();
    rl_callback_handler_remove();
}

/* The callback interface, rather than readline(), so that a SIGINT caught while waiting
 * for a key can end the read: readline() itself would resume reading the same line. */
static char *read_tty(repl_input *in, const char *prompt)
{
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_prompt_sigint; /* no SA_RESTART: poll must return EINTR */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old);
    prompt_interrupted = 0;
    cb_done = 0;
    cb_line = NULL;
    fflush(stdout);
    rl_callback_handler_install(prompt, on_line);
    while (!cb_done) {
        if (prompt_interrupted) {
            cancel_line();
            in->cancelled = 1;
            sigaction(SIGINT, &old, NULL);
            return NULL;
        }
        struct pollfd p = {STDIN_FILENO, POLLIN, 0};
        int rc = poll(&p, 1, -1);
        if (rc < 0 && errno == EINTR)
            continue;
        if (rc < 0) {
            rl_callback_handler_remove();
            break;
        }
        rl_callback_read_char();
    }
    sigaction(SIGINT, &old, NULL);
    if (!cb_done)
        fputc('\n', stdout);
    return cb_line;
}

char *repl_read_line(repl_input *in, const char *prompt)
{
    in->cancelled = 0;
    return in->tty ? read_tty(in, prompt) : read_plain();
}

void repl_input_open(repl_input *in, lua_State *L)
{
    memset(in, 0, sizeof *in);
    in->tty = isatty(STDIN_FILENO);
    if (!in->tty)
        return;
    rl_readline_name = "sfewlua"; /* for conditionals in ~/.inputrc */
    repl_complete_init(L);
    const char *home = getenv("HOME");
    if (home) {
        snprintf(in->history, sizeof in->history, "%s/%s", home, HISTORY_FILE);
        read_history(in->history);
        FILE *f = fopen(in->history, "a"); /* append_history needs the file to exist */
        if (f)
            fclose(f);
    }
}

void repl_input_add_history(repl_input *in, const char *line)
{
    if (in->tty && line && line[0]) {
        add_history(line);
        if (in->history[0])
            append_history(1, in->history);
    }
}

void repl_input_close(repl_input *in)
{
    if (!in->tty)
        return;
    if (in->history[0])
        history_truncate_file(in->history, HISTORY_MAX);
    fputc('\n', stdout);
    fflush(stdout);
}
