/*
 * handover_print — the handover as a PDF (cairo + pango) and on paper (`lp`).
 *
 * Apart from handover.h so that the monitoring core, which includes that
 * for the model and the audit, cannot reach the printing or the PDF
 * libraries: a print is started by the command layer (src/print.c installs
 * it on the ward; `wardwatch handover` prints by itself). scripts/layers.sh
 * lets only the command layer include this header.
 *
 * Printing runs `lp` with posix_spawnp and an argument vector — never a
 * shell — and returns lp's own message on failure.
 */
#ifndef WW_HANDOVER_PRINT_H
#define WW_HANDOVER_PRINT_H

#include "handover.h"

#include <stdbool.h>
#include <stddef.h>

/* PDF to path (A4); pages written or -1 with a message. */
int handover_write_pdf(const struct handover *h, const char *path, char *err, size_t errlen);

/* Send a file to a CUPS printer (NULL/"": the system default) with `lp`
 * found on PATH and started without a shell. Returns 0 and lp's request
 * line in out, or -1 with lp's message (or why it could not run) in err. */
int handover_print(const char *file, const char *printer, const char *title, char *out,
                   size_t outlen, char *err, size_t errlen);
/* Render h as a PDF in a temporary file, print it with handover_print
 * (title: the header, plus "bed LABEL" when bed_label is given) and remove
 * the file. 0 with lp's request line in msg, or -1 with lp's message. */
int handover_print_pdf(const struct handover *h, const char *printer, const char *bed_label,
                       char *msg, size_t msglen, char *err, size_t errlen);

/* lp under a loop, for a process whose loop runs the ward (never waits):
 * cb(ctx, 0, lp's request line) or cb(ctx, -1, lp's message) once, from
 * the loop, when lp ends (killed after 60 s). NULL with err when it could
 * not start (cb is then never called). file is removed at the end when
 * remove. */
struct loop;
struct handover_print_job;
typedef void (*handover_print_cb)(void *ctx, int rc, const char *text);
struct handover_print_job *handover_print_start(struct loop *l, const char *file, bool remove,
                                                const char *printer, const char *title,
                                                handover_print_cb cb, void *ctx, char *err,
                                                size_t errlen);
/* The same for h rendered as PDF (rendering itself runs here, ~0.15 s for
 * 32 beds). */
struct handover_print_job *handover_print_pdf_start(struct loop *l, const struct handover *h,
                                                    const char *printer, handover_print_cb cb,
                                                    void *ctx, char *err, size_t errlen);
/* Give up a job before it ended: lp killed, cb not called. */
void handover_print_cancel(struct handover_print_job *j);
/* Printer names CUPS accepts: 1-127 printable bytes, no space, '/', '#',
 * and not starting with '-'. */
bool handover_printer_name_ok(const char *name);

#endif
