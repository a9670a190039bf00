## man/local.mk -- included by Makefile.am.  A page per public call or
## family; each other name of a family is a one-line .so link page.

samrena_man_pages = \
	man/samrena.3 \
	man/samrena_allocated.3 \
	man/samrena_arena_allocator.3 \
	man/samrena_create.3 \
	man/samrena_get_capabilities.3 \
	man/samrena_last_error.3 \
	man/samrena_on_release.3 \
	man/samrena_pool_create.3 \
	man/samrena_push.3 \
	man/samrena_push_array.3 \
	man/samrena_report.3 \
	man/samrena_reserve.3 \
	man/samrena_reset.3 \
	man/samrena_resize.3 \
	man/samrena_save.3 \
	man/samrena_scratch_begin.3 \
	man/samrena_set_limit.3 \
	man/samrena_set_name.3 \
	man/samrena_stats.3 \
	man/samrena_strategy.3 \
	man/samrena_strdup.3 \
	man/samrena_trim.3 \
	man/samrena_vmem_realloc.3 \
	man/samrena_vmem_reserve.3 \
	man/v_alloc.3

samrena_man_links = \
	man/samrena_alloc_array.3 \
	man/samrena_allocate.3 \
	man/samrena_available_strategies.3 \
	man/samrena_can_allocate.3 \
	man/samrena_capacity.3 \
	man/samrena_config_chained.3 \
	man/samrena_config_virtual.3 \
	man/samrena_create_default.3 \
	man/samrena_default_config.3 \
	man/samrena_destroy.3 \
	man/samrena_error_string.3 \
	man/samrena_get_info.3 \
	man/samrena_get_last_error.3 \
	man/samrena_has_capability.3 \
	man/samrena_inline_bump.3 \
	man/samrena_inline_push.3 \
	man/samrena_inline_push_aligned.3 \
	man/samrena_inline_push_array.3 \
	man/samrena_inline_scratch_end.3 \
	man/samrena_malloc_allocator.3 \
	man/samrena_memdup.3 \
	man/samrena_name.3 \
	man/samrena_pool_alloc.3 \
	man/samrena_pool_allocator.3 \
	man/samrena_pool_destroy.3 \
	man/samrena_pool_free.3 \
	man/samrena_pool_in_use.3 \
	man/samrena_pool_reset.3 \
	man/samrena_pool_slot_size.3 \
	man/samrena_printf.3 \
	man/samrena_push_aligned.3 \
	man/samrena_push_array_zero.3 \
	man/samrena_push_with_reserve.3 \
	man/samrena_push_zero.3 \
	man/samrena_reserve_with_growth.3 \
	man/samrena_reset_if_supported.3 \
	man/samrena_restore.3 \
	man/samrena_scratch_end.3 \
	man/samrena_strategy_available.3 \
	man/samrena_strategy_capabilities.3 \
	man/samrena_strategy_name.3 \
	man/samrena_version.3 \
	man/samrena_vmem_commit.3 \
	man/samrena_vmem_realloc_reserve.3 \
	man/samrena_vmem_release.3 \
	man/samrena_vmem_reset.3 \
	man/samrena_vmem_resize.3 \
	man/samrena_vmem_size.3 \
	man/v_alloc_committ.3 \
	man/v_alloc_free.3 \
	man/v_alloc_realloc.3 \
	man/v_alloc_reserve.3 \
	man/v_alloc_reset.3 \
	man/v_alloc_resize.3

dist_man_MANS = $(samrena_man_pages) $(samrena_man_links)
EXTRA_DIST += man/local.mk
