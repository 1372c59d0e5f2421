/* libgit2, loaded on first use: the table behind gitlib.h. */
#define DC_GITLIB_H_TABLE
#include "core/gitlib.h"

#ifndef DC_SONAME_GIT2
#error "the Makefile passes the SONAME the build links against"
#endif

DC_LAZY_TABLE(dc_git_api, dc_git_lib, DC_SONAME_GIT2, DC_GIT_FUNCTIONS)
