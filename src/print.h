/*
 * print — handover prints for a ward, installed by the command layer.
 *
 * The monitoring core (src/ward.c) must not reach lp, pango or cairo: a
 * print it cannot wait for is still code in its process that a change
 * could make block, and a blocked loop holds every alarm (doc/hazards.md
 * H19-40). So the core only checks the staff id and hands the print to
 * the printer installed here: `serve` and the in-process board call
 * print_install() once on their ward; replay and the tests do not, and a
 * print asked of them is refused ("this process does not print").
 *
 * A print makes the handover model from the ward's store, renders it as a
 * PDF, runs lp under the core's loop (handover_print_pdf_start), audits it
 * through the core (the store's one writer) as handover-print, ok or
 * FAILED, with lp's words, and then answers the asker once.
 */
#ifndef WW_PRINT_H
#define WW_PRINT_H

struct ward;

/* At most this many prints run at once per ward. */
#define PRINT_MAX_JOBS 4

/* Let w print handovers (the printer is [ward] printer, or the system's
 * default). Freed with the ward. Out of memory: logged, and w refuses
 * prints as before. */
void print_install(struct ward *w);

#endif
