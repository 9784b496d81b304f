/*
 * handover_pdf — the handover as an A4 PDF with cairo and pango: the same
 * logical lines as the text renderer (handover_lines) in DejaVu Sans Mono,
 * so the content is identical and æøå render (pango shapes UTF-8 and cairo
 * embeds the glyphs with their Unicode mapping, so pdftotext gets the text
 * back), plus at each bed's HL_PLOT line three small plots: RR and HR
 * per-minute medians with the alarm limits dashed, and the NEWS2 steps.
 *
 * Layout runs twice: once without drawing to count the pages (for "page x
 * of y"), once drawing.
 */
#include "handover_print.h"

#include "util.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <errno.h>
#include <fcntl.h>
#include <libintl.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PAGE_W 595.276
#define PAGE_H 841.890
#define MARGIN_X 42.0
#define MARGIN_Y 36.0
#define FONT_PT 9.0 /* 80 columns of DejaVu Sans Mono: 433 pt of 511 */
#define PLOT_H 62.0

struct pdf {
    cairo_t *cr;
    PangoLayout *mono, *bold;
    double lh; /* line height */
    bool draw;
    int page, pages;
    double y;
    const struct handover *h;
};

/* Show text at x, y (top-left) with a layout. */
static void show(struct pdf *p, PangoLayout *l, double x, double y, const char *text)
{
    if (!p->draw)
        return;
    pango_layout_set_text(l, text, -1);
    cairo_move_to(p->cr, x, y);
    pango_cairo_show_layout(p->cr, l);
}

/* Width of text in a layout, in points. */
static double text_w(PangoLayout *l, const char *text)
{
    int w, hgt;
    pango_layout_set_text(l, text, -1);
    pango_layout_get_size(l, &w, &hgt);
    return (double)w / PANGO_SCALE;
}

/* Header and footer of the current page. */
static void page_frame(struct pdf *p)
{
    if (!p->draw)
        return;
    char l1[256], l2[256], l3[256], pg[48];
    handover_header(p->h, l1, l2, l3, sizeof l1);
    snprintf(pg, sizeof pg, gettext("page %d of %d"), p->page, p->pages);
    cairo_set_source_rgb(p->cr, 0, 0, 0);
    show(p, p->bold, MARGIN_X, MARGIN_Y, l1);
    show(p, p->mono, PAGE_W - MARGIN_X - text_w(p->mono, pg), MARGIN_Y, pg);
    show(p, p->mono, MARGIN_X, MARGIN_Y + p->lh * 1.2, l2);
    show(p, p->mono, MARGIN_X, MARGIN_Y + p->lh * 2.2, l3);
    cairo_set_line_width(p->cr, 0.6);
    cairo_move_to(p->cr, MARGIN_X, MARGIN_Y + p->lh * 3.5);
    cairo_line_to(p->cr, PAGE_W - MARGIN_X, MARGIN_Y + p->lh * 3.5);
    double fy = PAGE_H - MARGIN_Y - p->lh * 1.5;
    cairo_move_to(p->cr, MARGIN_X, fy - 3);
    cairo_line_to(p->cr, PAGE_W - MARGIN_X, fy - 3);
    cairo_stroke(p->cr);
    show(p, p->mono, MARGIN_X, fy, gettext(HANDOVER_FOOTER));
}

static double body_top(const struct pdf *p)
{
    return MARGIN_Y + p->lh * 4;
}

static double body_bottom(const struct pdf *p)
{
    return PAGE_H - MARGIN_Y - p->lh * 2;
}

/* Start a new page. */
static void new_page(struct pdf *p)
{
    if (p->page > 0 && p->draw)
        cairo_show_page(p->cr);
    p->page++;
    p->y = body_top(p);
    page_frame(p);
}

/* One small plot in the box x, y, w, h. */
static void plot(struct pdf *p, double x, double y, double w, double hgt, const char *title,
                 const struct handover_series *s, bool steps, double lo_line, double hi_line,
                 double ymin_floor, double ymax_floor, int64_t t0, int64_t t1)
{
    if (!p->draw)
        return;
    cairo_t *cr = p->cr;
    double lo = ymin_floor, hi = ymax_floor;
    for (size_t i = 0; i < s->n; i++) {
        if (s->v[i] < lo)
            lo = s->v[i];
        if (s->v[i] > hi)
            hi = s->v[i];
    }
    if (hi <= lo)
        hi = lo + 1;
    /* The title says what the dashed lines are; the axis range goes to the
     * right when it fits, never beside the title where it would read as
     * the limits (H16-14). */
    char axis[48];
    snprintf(axis, sizeof axis, gettext("axis %.0f-%.0f"), lo, hi);
    cairo_set_source_rgb(cr, 0, 0, 0);
    show(p, p->mono, x, y, title);
    double aw = text_w(p->mono, axis);
    if (text_w(p->mono, title) + aw + 6 < w)
        show(p, p->mono, x + w - aw, y, axis);
    double py = y + p->lh + 1, ph = hgt - p->lh - 2;
    cairo_set_line_width(cr, 0.5);
    cairo_rectangle(cr, x, py, w, ph);
    cairo_stroke(cr);
    double span = (double)(t1 - t0);
    if (span <= 0)
        return;
#define PX(t) (x + w * (double)((t) - t0) / span)
#define PY(v) (py + ph - ph * ((v) - lo) / (hi - lo))
    double dash[] = {2.0, 2.0};
    cairo_set_source_rgb(cr, 0.75, 0.1, 0.1);
    cairo_set_dash(cr, dash, 2, 0);
    for (int k = 0; k < 2; k++) {
        double v = k ? hi_line : lo_line;
        if (!isnan(v) && v > lo && v < hi) {
            cairo_move_to(cr, x, PY(v));
            cairo_line_to(cr, x + w, PY(v));
        }
    }
    cairo_stroke(cr);
    cairo_set_dash(cr, NULL, 0, 0);
    cairo_set_source_rgb(cr, 0.05, 0.2, 0.6);
    cairo_set_line_width(cr, 0.8);
    for (size_t i = 0; i < s->n; i++) {
        double px = PX(s->t[i]), pyv = PY(s->v[i]);
        /* A gap of more than 5 minutes breaks the line. */
        bool gap = i == 0 || (!steps && s->t[i] - s->t[i - 1] > 5 * 60000);
        if (gap)
            cairo_move_to(cr, px, pyv);
        else if (steps)
            cairo_line_to(cr, px, PY(s->v[i - 1])), cairo_line_to(cr, px, pyv);
        else
            cairo_line_to(cr, px, pyv);
    }
    if (steps && s->n)
        cairo_line_to(cr, PX(t1), PY(s->v[s->n - 1]));
    cairo_stroke(cr);
#undef PX
#undef PY
}

/* The three plots of a bed at the current y. */
static void bed_plots(struct pdf *p, const struct handover_bed *b)
{
    const struct handover *h = p->h;
    int64_t t0 = b->admitted_at > h->t0 ? b->admitted_at : h->t0;
    int64_t t1 = b->discharged_at && b->discharged_at < h->t1 ? b->discharged_at : h->t1;
    double gap = 12, x = MARGIN_X + 20;
    double w = (PAGE_W - x - MARGIN_X - 2 * gap) / 3;
    char rr[64], hr[64];
    snprintf(rr, sizeof rr, gettext("RR alarm <=%g >=%g"), b->rr_low, b->rr_high);
    snprintf(hr, sizeof hr, gettext("HR alarm <=%g >=%g"), b->hr_low, b->hr_high);
    plot(p, x, p->y, w, PLOT_H - 6, rr, &b->rr, false, b->rr_low, b->rr_high, 10, 25, t0, t1);
    plot(p, x + w + gap, p->y, w, PLOT_H - 6, hr, &b->hr, false, b->hr_low, b->hr_high, 50, 110,
         t0, t1);
    plot(p, x + 2 * (w + gap), p->y, w, PLOT_H - 6, gettext("NEWS2 (lines 5, 7)"), &b->news2, true, 5, 7,
         0, 7, t0, t1);
}

/* Lay out (and with draw, paint) every line. */
static void layout(struct pdf *p, const struct handover_line *v, size_t n)
{
    p->page = 0;
    new_page(p);
    for (size_t i = 0; i < n; i++) {
        double need = v[i].kind == HL_PLOT ? PLOT_H : p->lh;
        if (v[i].kind == HL_BED && body_bottom(p) - p->y < 8 * p->lh)
            need = body_bottom(p) - p->y + 1;
        if (p->y + need > body_bottom(p)) {
            if (v[i].kind == HL_BLANK)
                continue;
            new_page(p);
        }
        if (v[i].kind == HL_PLOT) {
            if (v[i].bed >= 0)
                bed_plots(p, &p->h->beds[v[i].bed]);
            p->y += PLOT_H;
            continue;
        }
        cairo_set_source_rgb(p->cr, 0, 0, 0);
        show(p, v[i].kind == HL_BED || v[i].kind == HL_SECTION || v[i].kind == HL_TITLE
                    ? p->bold
                    : p->mono,
             MARGIN_X, p->y, v[i].text);
        p->y += p->lh;
    }
    if (p->draw)
        cairo_show_page(p->cr);
}

static cairo_status_t write_fd(void *closure, const unsigned char *data, unsigned int len)
{
    int fd = *(int *)closure;
    while (len) {
        ssize_t w = write(fd, data, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return CAIRO_STATUS_WRITE_ERROR;
        data += w;
        len -= (unsigned)w;
    }
    return CAIRO_STATUS_SUCCESS;
}

/* Write the PDF. */
int handover_write_pdf(const struct handover *h, const char *path, char *err, size_t errlen)
{
    size_t n;
    struct handover_line *v = handover_lines(h, &n);
    if (!v)
        return ww_err(err, errlen, "out of memory");
    /* Patient data: a new file is readable by its owner only. */
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        free(v);
        return ww_err(err, errlen, "%s: %s", path, strerror(errno));
    }
    cairo_surface_t *surf = cairo_pdf_surface_create_for_stream(write_fd, &fd, PAGE_W, PAGE_H);
    char l1[256], l2[256], l3[256];
    handover_header(h, l1, l2, l3, sizeof l1);
    cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_TITLE, l1);
    cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_CREATOR,
                                   "wardwatch " WARDWATCH_VERSION);
    cairo_t *cr = cairo_create(surf);
    struct pdf p = {.cr = cr, .h = h};
    p.mono = pango_cairo_create_layout(cr);
    p.bold = pango_cairo_create_layout(cr);
    /* Absolute sizes: user units are points here, whatever pango's dpi. */
    PangoFontDescription *fd_mono = pango_font_description_from_string("DejaVu Sans Mono");
    PangoFontDescription *fd_bold = pango_font_description_from_string("DejaVu Sans Mono Bold");
    pango_font_description_set_absolute_size(fd_mono, FONT_PT * PANGO_SCALE);
    pango_font_description_set_absolute_size(fd_bold, FONT_PT * PANGO_SCALE);
    pango_layout_set_font_description(p.mono, fd_mono);
    pango_layout_set_font_description(p.bold, fd_bold);
    int lw, lhh;
    pango_layout_set_text(p.mono, "Xgæøå", -1);
    pango_layout_get_size(p.mono, &lw, &lhh);
    p.lh = (double)lhh / PANGO_SCALE;
    if (p.lh < FONT_PT * 1.1)
        p.lh = FONT_PT * 1.2;
    p.draw = false;
    layout(&p, v, n);
    p.pages = p.page;
    p.draw = true;
    layout(&p, v, n);
    int pages = p.pages;
    pango_font_description_free(fd_mono);
    pango_font_description_free(fd_bold);
    g_object_unref(p.mono);
    g_object_unref(p.bold);
    cairo_destroy(cr);
    cairo_surface_finish(surf);
    cairo_status_t cs = cairo_surface_status(surf);
    cairo_surface_destroy(surf);
    free(v);
    if (close(fd) < 0 && cs == CAIRO_STATUS_SUCCESS)
        return ww_err(err, errlen, "%s: %s", path, strerror(errno));
    if (cs != CAIRO_STATUS_SUCCESS)
        return ww_err(err, errlen, "%s: %s", path, cairo_status_to_string(cs));
    return pages;
}
