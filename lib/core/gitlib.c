/* libgit2, loaded on first use: the table behind gitlib.h. */
#define DC_GITLIB_H_TABLE
#include "core/gitlib.h"

#ifndef DC_SONAME_GIT2
#error "the Makefile passes the SONAME the build links against"
#endif

struct dc_git_api dc_git_api_table;

static const char *const names[] = {DC_GIT_FUNCTIONS(DC_LAZY_NAME) NULL};
#define X(f) offsetof(struct dc_git_api, f),
static const size_t offsets[] = {DC_GIT_FUNCTIONS(X)};
#undef X

struct dc_lazy dc_git_lib = {DC_SONAME_GIT2, names, offsets, &dc_git_api_table, NULL, ""};
