/*
 * http — HTTP POSTs through libcurl's multi interface on the loop (see
 * http.h). curl tells which sockets to watch (sock_cb) and when to call it
 * back (timer_cb); the loop's fd and timer callbacks hand the events back
 * with curl_multi_socket_action, and a finished transfer is read with
 * curl_multi_info_read.
 */
#include "http.h"
#include "log.h"
#include "loop.h"
#include "util.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An answer larger than this is cut (a transaction-response of a few
 * entries is a few kB; a server sending megabytes is not read to its end). */
#define HTTP_MAX_ANSWER (4 * 1024 * 1024)

enum http_state {
    HS_IDLE,     /* nothing in flight */
    HS_RUNNING,  /* a transfer in curl */
    HS_BACKOFF,  /* in flight, waiting to send again */
};

struct http_sender {
    struct loop *l;
    char name[64];
    char *url;
    struct http_params p;
    char ctype[80];
    struct http_ops ops;
    void *ctx;

    CURLM *multi;
    CURL *easy;
    struct curl_slist *headers;
    int curl_timer; /* loop timer for curl's timeout, -1 none */
    int backoff_timer;
    int backoff_ms;
    enum http_state st;

    int64_t row;
    char *body;
    size_t blen;
    char *ans;
    size_t alen, acap;
    bool ans_cut;

    struct http_status stat;
};

static void start(struct http_sender *s);
static void take_next(struct http_sender *s);

static size_t on_write(char *data, size_t size, size_t n, void *ctx)
{
    struct http_sender *s = ctx;
    size_t len = size * n;
    if (s->alen + len > HTTP_MAX_ANSWER) {
        s->ans_cut = true;
        return len; /* keep the connection's framing; drop the bytes */
    }
    if (s->alen + len + 1 > s->acap) {
        size_t cap = s->acap ? s->acap : 4096;
        while (cap < s->alen + len + 1)
            cap *= 2;
        char *p = realloc(s->ans, cap);
        if (!p)
            return 0; /* curl ends the transfer with a write error: retried */
        s->ans = p;
        s->acap = cap;
    }
    memcpy(s->ans + s->alen, data, len);
    s->alen += len;
    s->ans[s->alen] = 0;
    return len;
}

static int next_backoff(struct http_sender *s)
{
    int ms = s->backoff_ms;
    s->backoff_ms = s->backoff_ms * 2 > s->p.retry_max_ms ? s->p.retry_max_ms : s->backoff_ms * 2;
    return ms;
}

static void on_backoff(struct loop *l, int id, void *ctx)
{
    struct http_sender *s = ctx;
    s->backoff_timer = -1;
    if (s->st == HS_BACKOFF) {
        s->stat.resent++;
        start(s);
    }
}

/* The transfer ended (easy handle removed). */
static void finished(struct http_sender *s, CURLcode rc)
{
    char why[200] = "";
    enum hl7_verdict v;
    long status = 0;
    if (rc != CURLE_OK) {
        snprintf(why, sizeof why, "%s", curl_easy_strerror(rc));
        v = HL7_RETRY;
    } else {
        curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &status);
        if (s->ans_cut) {
            snprintf(why, sizeof why, "HTTP %ld with an answer over %d bytes", status,
                     HTTP_MAX_ANSWER);
            v = HL7_RETRY;
        } else {
            v = s->ops.judge(s->ctx, s->row, status, s->ans ? s->ans : "", s->alen, why,
                             sizeof why);
        }
    }
    if (v == HL7_RETRY || v == HL7_STRAY) {
        if (!s->stat.failing_since_ms)
            s->stat.failing_since_ms = ww_now_ms();
        if (strcmp(s->stat.last_error, why) != 0)
            log_msg(LOG_WARN, "export %s: %s: sent again later", s->name, why);
        ww_strlcpy(s->stat.last_error, why, sizeof s->stat.last_error);
        s->st = HS_BACKOFF;
        s->backoff_timer = loop_add_timer(s->l, next_backoff(s), false, on_backoff, s);
        return;
    }
    if (v == HL7_DEAD) {
        log_msg(LOG_ERROR, "export %s: message %lld refused (%s): dead-lettered", s->name,
                (long long)s->row, why);
        s->stat.dead++;
        /* a destination refusing every message (a wrong URL: 404) is
         * failing too, though each message is settled */
        if (!s->stat.failing_since_ms)
            s->stat.failing_since_ms = ww_now_ms();
        ww_strlcpy(s->stat.last_error, why, sizeof s->stat.last_error);
    } else {
        s->stat.delivered++;
        s->stat.failing_since_ms = 0;
        s->stat.last_error[0] = 0;
    }
    s->backoff_ms = s->p.retry_min_ms;
    s->st = HS_IDLE;
    free(s->body);
    s->body = NULL;
    s->ops.done(s->ctx, s->row, v, why);
    take_next(s);
}

static void check_done(struct http_sender *s)
{
    CURLMsg *m;
    int left;
    while ((m = curl_multi_info_read(s->multi, &left))) {
        if (m->msg != CURLMSG_DONE || m->easy_handle != s->easy)
            continue;
        CURLcode rc = m->data.result;
        curl_multi_remove_handle(s->multi, s->easy);
        finished(s, rc);
        return; /* finished may have started the next transfer */
    }
}

static void on_sock(struct loop *l, int fd, int events, void *ctx)
{
    struct http_sender *s = ctx;
    int ev = 0, running;
    if (events & LOOP_READ)
        ev |= CURL_CSELECT_IN;
    if (events & LOOP_WRITE)
        ev |= CURL_CSELECT_OUT;
    if (events & LOOP_HUP)
        ev |= CURL_CSELECT_ERR;
    curl_multi_socket_action(s->multi, fd, ev, &running);
    check_done(s);
}

static void on_curl_timer(struct loop *l, int id, void *ctx)
{
    struct http_sender *s = ctx;
    int running;
    s->curl_timer = -1;
    curl_multi_socket_action(s->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    check_done(s);
}

/* curl: watch this socket for what (or stop watching it). */
static int sock_cb(CURL *e, curl_socket_t fd, int what, void *ctx, void *sockp)
{
    struct http_sender *s = ctx;
    if (what == CURL_POLL_REMOVE) {
        loop_del_fd(s->l, fd);
        return 0;
    }
    int mask = (what & CURL_POLL_IN ? LOOP_READ : 0) | (what & CURL_POLL_OUT ? LOOP_WRITE : 0);
    if (loop_add_fd(s->l, fd, mask, on_sock, s) < 0) {
        log_msg(LOG_ERROR, "export %s: event loop full", s->name);
        return -1;
    }
    return 0;
}

/* curl: call back in ms (-1: no timer). Never act from inside curl. */
static int timer_cb(CURLM *m, long ms, void *ctx)
{
    struct http_sender *s = ctx;
    if (s->curl_timer >= 0)
        loop_del_timer(s->l, s->curl_timer);
    s->curl_timer = -1;
    if (ms >= 0) {
        s->curl_timer = loop_add_timer(s->l, ms, false, on_curl_timer, s);
        if (s->curl_timer < 0)
            return -1;
    }
    return 0;
}

/* Send the message in flight (again). */
static void start(struct http_sender *s)
{
    s->alen = 0;
    s->ans_cut = false;
    curl_easy_setopt(s->easy, CURLOPT_POSTFIELDS, s->body);
    curl_easy_setopt(s->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)s->blen);
    s->st = HS_RUNNING;
    CURLMcode mc = curl_multi_add_handle(s->multi, s->easy);
    if (mc != CURLM_OK) {
        char why[160];
        snprintf(why, sizeof why, "libcurl: %s", curl_multi_strerror(mc));
        ww_strlcpy(s->stat.last_error, why, sizeof s->stat.last_error);
        if (!s->stat.failing_since_ms)
            s->stat.failing_since_ms = ww_now_ms();
        s->st = HS_BACKOFF;
        s->backoff_timer = loop_add_timer(s->l, next_backoff(s), false, on_backoff, s);
    }
}

static void take_next(struct http_sender *s)
{
    if (s->st != HS_IDLE)
        return;
    struct http_out out = {0};
    if (s->ops.next(s->ctx, &out) != 1)
        return;
    s->body = malloc(out.len + 1);
    if (!s->body) {
        log_msg(LOG_ERROR, "export %s: out of memory", s->name);
        return; /* kicked again at the next store write */
    }
    memcpy(s->body, out.body, out.len);
    s->body[out.len] = 0;
    s->blen = out.len;
    s->row = out.row;
    start(s);
}

struct http_sender *http_sender_new(struct loop *l, const char *name, const char *url,
                                    const struct http_params *p, const struct http_ops *ops,
                                    void *ctx, char *err, size_t errlen)
{
    static bool curl_ready;
    if (!curl_ready) {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
            ww_err(err, errlen, "export %s: libcurl did not start", name);
            return NULL;
        }
        curl_ready = true;
    }
    struct http_sender *s = calloc(1, sizeof *s);
    if (!s || !(s->url = strdup(url))) {
        free(s);
        ww_err(err, errlen, "export %s: out of memory", name);
        return NULL;
    }
    s->l = l;
    ww_strlcpy(s->name, name, sizeof s->name);
    s->p = *p;
    if (s->p.retry_min_ms < 10)
        s->p.retry_min_ms = 10;
    if (s->p.retry_max_ms < s->p.retry_min_ms)
        s->p.retry_max_ms = s->p.retry_min_ms;
    if (s->p.timeout_ms < 100)
        s->p.timeout_ms = 100;
    s->backoff_ms = s->p.retry_min_ms;
    s->ops = *ops;
    s->ctx = ctx;
    s->curl_timer = s->backoff_timer = -1;
    char h[128];
    snprintf(h, sizeof h, "Content-Type: %s", p->content_type ? p->content_type : "application/json");
    s->headers = curl_slist_append(NULL, h);
    snprintf(h, sizeof h, "Accept: %s", p->content_type ? p->content_type : "application/json");
    struct curl_slist *h2 = s->headers ? curl_slist_append(s->headers, h) : NULL;
    /* no "Expect: 100-continue" round trip: the body goes at once */
    struct curl_slist *h3 = h2 ? curl_slist_append(h2, "Expect:") : NULL;
    s->multi = curl_multi_init();
    s->easy = curl_easy_init();
    if (!h3 || !s->multi || !s->easy) {
        ww_err(err, errlen, "export %s: libcurl: out of memory", name);
        http_sender_free(s);
        return NULL;
    }
    s->headers = h3;
    curl_multi_setopt(s->multi, CURLMOPT_SOCKETFUNCTION, sock_cb);
    curl_multi_setopt(s->multi, CURLMOPT_SOCKETDATA, s);
    curl_multi_setopt(s->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
    curl_multi_setopt(s->multi, CURLMOPT_TIMERDATA, s);
    curl_easy_setopt(s->easy, CURLOPT_URL, s->url);
    curl_easy_setopt(s->easy, CURLOPT_HTTPHEADER, s->headers);
    curl_easy_setopt(s->easy, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(s->easy, CURLOPT_WRITEDATA, s);
    curl_easy_setopt(s->easy, CURLOPT_TIMEOUT_MS, (long)s->p.timeout_ms);
    curl_easy_setopt(s->easy, CURLOPT_CONNECTTIMEOUT_MS, (long)s->p.timeout_ms);
    curl_easy_setopt(s->easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(s->easy, CURLOPT_PROTOCOLS_STR, "http,https");
    /* a redirect is an answer (retried and shown), never a POST elsewhere */
    curl_easy_setopt(s->easy, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(s->easy, CURLOPT_USERAGENT, "wardwatch/" WARDWATCH_VERSION);
    return s;
}

void http_sender_free(struct http_sender *s)
{
    if (!s)
        return;
    if (s->multi && s->easy && s->st == HS_RUNNING)
        curl_multi_remove_handle(s->multi, s->easy); /* closes its sockets (sock_cb) */
    if (s->easy)
        curl_easy_cleanup(s->easy);
    if (s->multi)
        curl_multi_cleanup(s->multi);
    if (s->curl_timer >= 0)
        loop_del_timer(s->l, s->curl_timer);
    if (s->backoff_timer >= 0)
        loop_del_timer(s->l, s->backoff_timer);
    curl_slist_free_all(s->headers);
    free(s->url);
    free(s->body);
    free(s->ans);
    free(s);
}

void http_sender_kick(struct http_sender *s)
{
    if (s && s->st == HS_IDLE)
        take_next(s);
}

void http_sender_status(const struct http_sender *s, struct http_status *st)
{
    *st = s->stat;
    st->in_flight = s->st != HS_IDLE;
}
