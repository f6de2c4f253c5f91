
/*
 * Logging: one line per event, "time level [thread] message", to a file
 * or stderr.  Any thread may log; SIGHUP reopens the file (see
 * sbx_log_reopen) so logrotate can move it away.  Until start-up is over
 * (sbx_log_started()), errors also go to stderr, so that a runner that
 * cannot start says why where it was started, not only in its log.
 */


#ifndef _SBX_LOG_H_INCLUDED_
#define _SBX_LOG_H_INCLUDED_


#define SBX_LOG_ERR     0
#define SBX_LOG_WARN    1
#define SBX_LOG_INFO    2
#define SBX_LOG_DEBUG   3


int sbx_log_init(const char *path, int level);
int sbx_log_reopen(void);
void sbx_log_started(void);
void sbx_log_set_thread(const char *name);
int sbx_log_level_by_name(const char *name);
const char *sbx_log_level_name(int level);
void sbx_log(int level, const char *fmt, ...)
#ifdef __GNUC__
    __attribute__((format(printf, 2, 3)))
#endif
    ;

extern int  sbx_log_level;


#define sbx_log_error(...)                                                  \
    do {                                                                    \
        if (sbx_log_level >= SBX_LOG_ERR) {                                 \
            sbx_log(SBX_LOG_ERR, __VA_ARGS__);                              \
        }                                                                   \
    } while (0)

#define sbx_log_warn(...)                                                   \
    do {                                                                    \
        if (sbx_log_level >= SBX_LOG_WARN) {                                \
            sbx_log(SBX_LOG_WARN, __VA_ARGS__);                             \
        }                                                                   \
    } while (0)

#define sbx_log_info(...)                                                   \
    do {                                                                    \
        if (sbx_log_level >= SBX_LOG_INFO) {                                \
            sbx_log(SBX_LOG_INFO, __VA_ARGS__);                             \
        }                                                                   \
    } while (0)

#define sbx_log_debug(...)                                                  \
    do {                                                                    \
        if (sbx_log_level >= SBX_LOG_DEBUG) {                               \
            sbx_log(SBX_LOG_DEBUG, __VA_ARGS__);                            \
        }                                                                   \
    } while (0)


#endif /* _SBX_LOG_H_INCLUDED_ */
