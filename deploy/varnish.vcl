# Marquee behind Varnish 7 with the xkey vmod (Debian: apt-get install varnish varnish-modules).
#
# Replace @@BACKEND_HOST@@ and @@BACKEND_PORT@@ with gunicorn's address, run varnishd with
# `-f deploy/varnish.vcl`, and point Marquee at it:
#   MARQUEE_PURGE='{"BACKEND": "pagecache.purge.VarnishPurger", "URL": "http://127.0.0.1:6081/"}'
# Then anonymous pages are kept as long as Marquee's `s-maxage` says (a day by default when
# purging is configured) and a change purges exactly the pages showing it: each response names
# what it shows in its `xkey` header (e.g. "review:12 film:5 home"), and Marquee sends
# `PURGE` with `xkey-purge: review:12 film:5` after the change commits.
# tests/test_varnish_recipe.py runs this file in a real varnishd.

vcl 4.1;

import xkey;

backend marquee {
    .host = "@@BACKEND_HOST@@";
    .port = "@@BACKEND_PORT@@";
    .connect_timeout = 2s;
    .first_byte_timeout = 35s;
}

# Only Marquee's own hosts may purge.
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Not allowed to purge"));
        }
        if (!req.http.xkey-purge) {
            return (synth(400, "Send the tags to purge in xkey-purge"));
        }
        set req.http.X-Purged = xkey.purge(req.http.xkey-purge);
        return (synth(200, "Purged"));
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # The back office, previews, the comment endpoints: never from the cache.
    if (req.url ~ "^/(admin/|preview/|markdownx/|healthz)" || req.url ~ "^/reviews/[^/]+/(preview|comments)/") {
        return (pass);
    }
    # Staff sessions and pending messages see their own pages.
    if (req.http.Cookie ~ "(^|;\s*)(sessionid|messages)=") {
        return (pass);
    }
    # Anonymous pages are one copy for everyone (Marquee sends no cookie with them).
    unset req.http.Cookie;
    return (hash);
}

sub vcl_backend_response {
    # Marquee marks what is personal private; a response that sets a cookie is never shared.
    if (beresp.http.Set-Cookie || beresp.http.Cache-Control ~ "(private|no-store|no-cache)") {
        set beresp.uncacheable = true;
        set beresp.ttl = 120s;
        return (deliver);
    }
    # Keep serving a page for a while if Marquee is down or slow to answer.
    set beresp.grace = 1h;
}

sub vcl_synth {
    if (req.method == "PURGE") {
        set resp.http.X-Purged = req.http.X-Purged;
    }
}

sub vcl_deliver {
    if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
    # The tags are for this cache only; browsers get max-age, never s-maxage's long life.
    unset resp.http.xkey;
    unset resp.http.Surrogate-Key;
}
