/* poison.h -- telling AddressSanitizer or Valgrind's memcheck which arena
 * memory the program may touch.
 *
 * Memory not yet pushed, and memory given back by reset, restore, trim and
 * pool free, is poisoned, so a use after reset is reported where it
 * happens.  Unpoisoned memory is undefined to memcheck, as malloc's is;
 * SAMRENA__DEFINED marks bytes the library vouches for without writing
 * them (fresh pages push_zero skips) or wrote before a push covered them
 * (samrena_printf).  With AddressSanitizer this is compiled in whenever the library
 * itself is built with -fsanitize=address; Valgrind support comes with
 * configure --with-valgrind and costs a check of RUNNING_ON_VALGRIND.
 * Elsewhere every macro is a no-op.
 */
#ifndef SAMRENA_POISON_H
#define SAMRENA_POISON_H

#include <stdbool.h>

#define SAMRENA__ASAN 0
#if defined(__SANITIZE_ADDRESS__)
#undef SAMRENA__ASAN
#define SAMRENA__ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#undef SAMRENA__ASAN
#define SAMRENA__ASAN 1
#endif
#endif

#if SAMRENA__ASAN
#include <sanitizer/asan_interface.h>
#define SAMRENA__POISON(addr, size) ASAN_POISON_MEMORY_REGION((addr), (size_t)(size))
#define SAMRENA__UNPOISON(addr, size) ASAN_UNPOISON_MEMORY_REGION((addr), (size_t)(size))
#define SAMRENA__DEFINED(addr, size) ASAN_UNPOISON_MEMORY_REGION((addr), (size_t)(size))
#define SAMRENA__POISONING() true
#elif defined(SAMRENA_WITH_VALGRIND) && SAMRENA_WITH_VALGRIND
#include <valgrind/memcheck.h>
#define SAMRENA__POISON(addr, size) ((void)VALGRIND_MAKE_MEM_NOACCESS((addr), (size)))
#define SAMRENA__UNPOISON(addr, size) ((void)VALGRIND_MAKE_MEM_UNDEFINED((addr), (size)))
#define SAMRENA__DEFINED(addr, size) ((void)VALGRIND_MAKE_MEM_DEFINED((addr), (size)))
#define SAMRENA__POISONING() (RUNNING_ON_VALGRIND != 0)
#else
#define SAMRENA__POISON(addr, size) ((void)(addr), (void)(size))
#define SAMRENA__UNPOISON(addr, size) ((void)(addr), (void)(size))
#define SAMRENA__DEFINED(addr, size) ((void)(addr), (void)(size))
#define SAMRENA__POISONING() false
#endif

#endif /* SAMRENA_POISON_H */
