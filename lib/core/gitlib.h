/*
 * libgit2: the git repositories of exports, anchors and the vendor spool.
 * Include this instead of the library's headers; the library is loaded at the first call.
 * A function not in the list fails to link (the library is not linked), a name in the list
 * the library lacks fails to compile: the list stays what the code uses.
 */
#ifndef DC_GITLIB_H
#define DC_GITLIB_H

#include <git2.h>

#include "core/lazy.h"

#define DC_GIT_FUNCTIONS(X)                                                                   \
	X(git_blob_create_from_disk) X(git_blob_free) X(git_blob_lookup)                      \
	X(git_blob_rawcontent) X(git_blob_rawsize) X(git_commit_create) X(git_commit_free)    \
	X(git_commit_id) X(git_commit_lookup) X(git_commit_tree) X(git_diff_foreach)          \
	X(git_diff_free) X(git_diff_tree_to_tree) X(git_error_last) X(git_index_add)          \
	X(git_index_add_bypath) X(git_index_free) X(git_index_new) X(git_index_read_tree)     \
	X(git_index_write) X(git_index_write_tree_to) X(git_libgit2_init) X(git_libgit2_opts) \
	X(git_libgit2_shutdown) X(git_object_free) X(git_object_id) X(git_oid_cmp)            \
	X(git_oid_fromstr) X(git_oid_tostr) X(git_reference_free)                             \
	X(git_reference_is_valid_name) X(git_reference_lookup)                                \
	X(git_reference_symbolic_target) X(git_reference_target) X(git_reference_type)        \
	X(git_repository_free) X(git_repository_index) X(git_repository_init)                 \
	X(git_repository_is_bare) X(git_repository_open_ext) X(git_repository_path)           \
	X(git_repository_workdir) X(git_revparse_single) X(git_signature_free)                \
	X(git_signature_new) X(git_tree_entry_bypath) X(git_tree_entry_free)                  \
	X(git_tree_entry_id) X(git_tree_entry_type) X(git_tree_free) X(git_tree_lookup)

DC_LAZY_API(dc_git_api, dc_git_lib, dc_git, DC_GIT_FUNCTIONS)

#ifndef DC_GITLIB_H_TABLE
#define git_blob_create_from_disk (*dc_git()->git_blob_create_from_disk)
#define git_blob_free (*dc_git()->git_blob_free)
#define git_blob_lookup (*dc_git()->git_blob_lookup)
#define git_blob_rawcontent (*dc_git()->git_blob_rawcontent)
#define git_blob_rawsize (*dc_git()->git_blob_rawsize)
#define git_commit_create (*dc_git()->git_commit_create)
#define git_commit_free (*dc_git()->git_commit_free)
#define git_commit_id (*dc_git()->git_commit_id)
#define git_commit_lookup (*dc_git()->git_commit_lookup)
#define git_commit_tree (*dc_git()->git_commit_tree)
#define git_diff_foreach (*dc_git()->git_diff_foreach)
#define git_diff_free (*dc_git()->git_diff_free)
#define git_diff_tree_to_tree (*dc_git()->git_diff_tree_to_tree)
#define git_error_last (*dc_git()->git_error_last)
#define git_index_add (*dc_git()->git_index_add)
#define git_index_add_bypath (*dc_git()->git_index_add_bypath)
#define git_index_free (*dc_git()->git_index_free)
#define git_index_new (*dc_git()->git_index_new)
#define git_index_read_tree (*dc_git()->git_index_read_tree)
#define git_index_write (*dc_git()->git_index_write)
#define git_index_write_tree_to (*dc_git()->git_index_write_tree_to)
#define git_libgit2_init (*dc_git()->git_libgit2_init)
#define git_libgit2_opts (*dc_git()->git_libgit2_opts)
#define git_libgit2_shutdown (*dc_git()->git_libgit2_shutdown)
#define git_object_free (*dc_git()->git_object_free)
#define git_object_id (*dc_git()->git_object_id)
#define git_oid_cmp (*dc_git()->git_oid_cmp)
#define git_oid_fromstr (*dc_git()->git_oid_fromstr)
#define git_oid_tostr (*dc_git()->git_oid_tostr)
#define git_reference_free (*dc_git()->git_reference_free)
#define git_reference_is_valid_name (*dc_git()->git_reference_is_valid_name)
#define git_reference_lookup (*dc_git()->git_reference_lookup)
#define git_reference_symbolic_target (*dc_git()->git_reference_symbolic_target)
#define git_reference_target (*dc_git()->git_reference_target)
#define git_reference_type (*dc_git()->git_reference_type)
#define git_repository_free (*dc_git()->git_repository_free)
#define git_repository_index (*dc_git()->git_repository_index)
#define git_repository_init (*dc_git()->git_repository_init)
#define git_repository_is_bare (*dc_git()->git_repository_is_bare)
#define git_repository_open_ext (*dc_git()->git_repository_open_ext)
#define git_repository_path (*dc_git()->git_repository_path)
#define git_repository_workdir (*dc_git()->git_repository_workdir)
#define git_revparse_single (*dc_git()->git_revparse_single)
#define git_signature_free (*dc_git()->git_signature_free)
#define git_signature_new (*dc_git()->git_signature_new)
#define git_tree_entry_bypath (*dc_git()->git_tree_entry_bypath)
#define git_tree_entry_free (*dc_git()->git_tree_entry_free)
#define git_tree_entry_id (*dc_git()->git_tree_entry_id)
#define git_tree_entry_type (*dc_git()->git_tree_entry_type)
#define git_tree_free (*dc_git()->git_tree_free)
#define git_tree_lookup (*dc_git()->git_tree_lookup)
#endif

#endif
