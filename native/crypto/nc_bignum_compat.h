/* Bignum include compatibility for the SRP modexp (moddable-xs.md §2, §7, §11): mbedTLS 2.28/3.x ship the
 * public <mbedtls/bignum.h>; mbedTLS 4 (ESP-IDF v6, TF-PSA-Crypto) keeps mbedtls_mpi only as a private header
 * that must be opted into with MBEDTLS_DECLARE_PRIVATE_IDENTIFIERS. One source serves both. */
#ifndef NC_BIGNUM_COMPAT_H
#define NC_BIGNUM_COMPAT_H

#if defined(__has_include)
#  if __has_include(<mbedtls/private/bignum.h>)
#    ifndef MBEDTLS_DECLARE_PRIVATE_IDENTIFIERS
#      define MBEDTLS_DECLARE_PRIVATE_IDENTIFIERS
#    endif
#    include <mbedtls/private/bignum.h>
#    define NC_BIGNUM_PRIVATE 1
#  else
#    include <mbedtls/bignum.h>
#  endif
#else
#  include <mbedtls/bignum.h>
#endif

#endif
