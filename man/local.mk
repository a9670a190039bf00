## man/local.mk -- included by Makefile.am.  A page per public call or
## family; each other name of a family is a one-line .so link page.

samrena_man_pages = \
	man/samrena.3 \
	man/samrena_allocated.3 \
	man/samrena_arena_allocator.3 \
	man/samrena_create.3 \
	man/samrena_last_error.3 \
	man/samrena_on_release.3 \
	man/samrena_pool_create.3 \
	man/samrena_push.3 \
	man/samrena_reserve.3 \
	man/samrena_reset.3 \
	man/samrena_resize.3 \
	man/samrena_save.3 \
	man/samrena_stats.3 \
	man/samrena_str.3 \
	man/samrena_strategy.3 \
	man/samrena_strdup.3 \
	man/samrena_trim.3 \
	man/samrena_vector_filter.3 \
	man/samrena_vector_get.3 \
	man/samrena_vector_init.3 \
	man/samrena_vector_iter_begin.3 \
	man/samrena_vector_push.3 \
	man/samrena_vector_resize.3 \
	man/samrena_vector_size.3 \
	man/samrena_vector_transfer.3 \
	man/samrena_vmem_realloc.3 \
	man/samrena_vmem_reserve.3 \
	man/samvector.3 \
	man/v_alloc.3

samrena_man_links = \
	man/SAMRENA_DECLARE_VECTOR.3 \
	man/SAMRENA_VECTOR_ELEM.3 \
	man/samrena_alloc_array.3 \
	man/samrena_allocate.3 \
	man/samrena_capacity.3 \
	man/samrena_default_config.3 \
	man/samrena_destroy.3 \
	man/samrena_error_string.3 \
	man/samrena_inline_bump.3 \
	man/samrena_inline_push.3 \
	man/samrena_inline_push_aligned.3 \
	man/samrena_malloc_allocator.3 \
	man/samrena_memdup.3 \
	man/samrena_pool_alloc.3 \
	man/samrena_pool_allocator.3 \
	man/samrena_pool_destroy.3 \
	man/samrena_pool_free.3 \
	man/samrena_pool_in_use.3 \
	man/samrena_pool_reset.3 \
	man/samrena_pool_slot_size.3 \
	man/samrena_printf.3 \
	man/samrena_push_aligned.3 \
	man/samrena_push_with_reserve.3 \
	man/samrena_push_zero.3 \
	man/samrena_reserve_with_growth.3 \
	man/samrena_restore.3 \
	man/samrena_str_append.3 \
	man/samrena_str_appendf.3 \
	man/samrena_str_clear.3 \
	man/samrena_str_cstr.3 \
	man/samrena_str_finish.3 \
	man/samrena_str_init.3 \
	man/samrena_str_len.3 \
	man/samrena_strategy_available.3 \
	man/samrena_strategy_name.3 \
	man/samrena_vector_at.3 \
	man/samrena_vector_at_const.3 \
	man/samrena_vector_at_unchecked.3 \
	man/samrena_vector_at_unchecked_const.3 \
	man/samrena_vector_available.3 \
	man/samrena_vector_capacity.3 \
	man/samrena_vector_clear.3 \
	man/samrena_vector_destroy.3 \
	man/samrena_vector_foreach.3 \
	man/samrena_vector_get_stats.3 \
	man/samrena_vector_init_owned.3 \
	man/samrena_vector_init_owned_reserve.3 \
	man/samrena_vector_inline_push.3 \
	man/samrena_vector_is_empty.3 \
	man/samrena_vector_is_full.3 \
	man/samrena_vector_iter_has_next.3 \
	man/samrena_vector_iter_next.3 \
	man/samrena_vector_iter_reset.3 \
	man/samrena_vector_map.3 \
	man/samrena_vector_pop.3 \
	man/samrena_vector_reset.3 \
	man/samrena_vector_set.3 \
	man/samrena_vector_slice.3 \
	man/samrena_vector_truncate.3 \
	man/samrena_version.3 \
	man/samrena_vmem_commit.3 \
	man/samrena_vmem_decommit.3 \
	man/samrena_vmem_page_size.3 \
	man/samrena_vmem_realloc_reserve.3 \
	man/samrena_vmem_release.3 \
	man/samrena_vmem_reset.3 \
	man/samrena_vmem_resize.3 \
	man/samrena_vmem_size.3 \
	man/v_alloc_committ.3 \
	man/v_alloc_decommit.3 \
	man/v_alloc_free.3 \
	man/v_alloc_realloc.3 \
	man/v_alloc_reserve.3 \
	man/v_alloc_reset.3 \
	man/v_alloc_resize.3

dist_man_MANS = $(samrena_man_pages) $(samrena_man_links)
EXTRA_DIST += man/local.mk
