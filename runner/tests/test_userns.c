
/*
 * Which host ids are root in the engine's containers, read from its
 * /info document: none under a plain engine, the remapped range's start
 * under --userns-remap, and an error when the engine says it remaps but
 * does not say to what.
 */


#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "sbx.h"
#include "sbx_docker.h"


static int
userns(const char *text, int *on, unsigned *uid, unsigned *gid)
{
    int      rc;
    json_t  *info;

    info = json_loads(text, 0, NULL);
    assert_non_null(info);

    rc = sbx_docker_userns(info, on, uid, gid);
    json_decref(info);

    return rc;
}


static void
test_plain(void **state)
{
    int       on;
    unsigned  uid, gid;

    assert_int_equal(userns("{\"SecurityOptions\":"
                            "[\"name=seccomp,profile=default\"],"
                            "\"DockerRootDir\":\"/var/lib/docker\"}",
                            &on, &uid, &gid), SBX_OK);
    assert_int_equal(on, 0);
    assert_int_equal(uid, 0);
    assert_int_equal(gid, 0);

    /* an old engine without the field */
    assert_int_equal(userns("{}", &on, &uid, &gid), SBX_OK);
    assert_int_equal(on, 0);

    /* a name that only starts like it */
    assert_int_equal(userns("{\"SecurityOptions\":[\"name=usernsx\"]}",
                            &on, &uid, &gid), SBX_OK);
    assert_int_equal(on, 0);
}


static void
test_remapped(void **state)
{
    int       on;
    unsigned  uid, gid;

    assert_int_equal(userns("{\"SecurityOptions\":"
                            "[\"name=seccomp,profile=default\","
                            "\"name=userns\"],\"DockerRootDir\":"
                            "\"/var/lib/sandbox-docker/1000000000.1000001\"}",
                            &on, &uid, &gid), SBX_OK);
    assert_int_equal(on, 1);
    assert_int_equal(uid, 1000000000);
    assert_int_equal(gid, 1000001);
}


static void
test_unknown(void **state)
{
    int       on;
    unsigned  uid, gid;

    /* remaps, but the root directory names no ids: never guess root */

    assert_int_equal(userns("{\"SecurityOptions\":[\"name=userns\"],"
                            "\"DockerRootDir\":\"/var/lib/docker\"}",
                            &on, &uid, &gid), SBX_ERROR);
    assert_int_equal(on, 1);
    assert_int_equal(uid, 0);
    assert_int_equal(gid, 0);

    assert_int_equal(userns("{\"SecurityOptions\":[\"name=userns\"],"
                            "\"DockerRootDir\":\"/d/100000.100000x\"}",
                            &on, &uid, &gid), SBX_ERROR);
    assert_int_equal(userns("{\"SecurityOptions\":[\"name=userns\"],"
                            "\"DockerRootDir\":\"/d/0.0\"}",
                            &on, &uid, &gid), SBX_ERROR);
    assert_int_equal(userns("{\"SecurityOptions\":[\"name=userns\"]}",
                            &on, &uid, &gid), SBX_ERROR);
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_plain),
        cmocka_unit_test(test_remapped),
        cmocka_unit_test(test_unknown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
