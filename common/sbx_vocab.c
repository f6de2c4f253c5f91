
/*
 * The shared vocabulary (see sbx_vocab.h).
 */


#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "sbx_vocab.h"


const char  *sbx_limit_names[SBX_LIMIT_N + 1] = {
    "cpu_time_ms", "wall_time_ms", "memory_kb",
    "processes", "output_kb", "file_size_kb", NULL
};


const long long  sbx_limit_ceilings[SBX_LIMIT_N] = {
    3600000,                              /* cpu_time_ms: an hour */
    3600000,                              /* wall_time_ms: an hour */
    16777216,                             /* memory_kb: 16 GiB */
    4096,                                 /* processes */
    1048576,                              /* output_kb: 1 GiB */
    1048576                               /* file_size_kb: 1 GiB */
};


const char  *sbx_checker_names[SBX_CHECK_N + 1] = {
    "exact", "trimmed", "regex", "float", NULL
};


const char  *sbx_status_names[SBX_STATUS_N + 1] = {
    "queued", "running",
    "accepted", "wrong_answer", "time_limit_exceeded",
    "memory_limit_exceeded", "output_limit_exceeded", "runtime_error",
    "compilation_error", "internal_error", "skipped", "cancelled",
    NULL
};


int
sbx_vocab_find(const char **names, const char *name, size_t len)
{
    int  i;

    for (i = 0; names[i]; i++) {
        if (strlen(names[i]) == len && memcmp(names[i], name, len) == 0) {
            return i;
        }
    }

    return -1;
}


int
sbx_valid_name(const char *name, size_t len)
{
    size_t       i, seg, slashes;
    const char  *s;

    if (len == 0 || len > SBX_NAME_MAX) {
        return 0;
    }

    seg = 0;
    slashes = 0;
    s = name;

    for (i = 0; i <= len; i++) {

        if (i == len || name[i] == '/') {

            /* a segment ends: not empty, not "." or ".." */

            if (seg == 0
                || (seg == 1 && s[0] == '.')
                || (seg == 2 && s[0] == '.' && s[1] == '.'))
            {
                return 0;
            }

            if (i < len && ++slashes > 1) {
                return 0;
            }

            seg = 0;
            s = name + i + 1;
            continue;
        }

        if (!((name[i] >= 'a' && name[i] <= 'z')
              || (name[i] >= 'A' && name[i] <= 'Z')
              || (name[i] >= '0' && name[i] <= '9')
              || name[i] == '.' || name[i] == '_' || name[i] == '-'))
        {
            return 0;
        }

        seg++;
    }

    return 1;
}


ssize_t
sbx_write_all(int fd, const void *p, size_t n)
{
    ssize_t      w;
    size_t       done;
    const char  *c;

    c = p;
    done = 0;

    while (done < n) {
        w = write(fd, c + done, n - done);

        if (w < 0) {
            if (errno == EINTR) {
                continue;
            }

            return -1;
        }

        done += w;
    }

    return n;
}
