// SPDX-License-Identifier: GPL-2.0-or-later
#include "loader/core_kind.h"

#include <string>

#include "base/error.h"

namespace guard {

CoreKindClass core_kind_class(CoreKind kind)
{
	switch (kind) {
	case CoreKind::field_byte_offset:
	case CoreKind::field_byte_size:
	case CoreKind::field_exists:
	case CoreKind::field_signed:
	case CoreKind::field_lshift_u64:
	case CoreKind::field_rshift_u64:
		return CoreKindClass::field;
	case CoreKind::type_id_local:
	case CoreKind::type_id_target:
	case CoreKind::type_exists:
	case CoreKind::type_size:
	case CoreKind::type_matches:
		return CoreKindClass::type;
	case CoreKind::enumval_exists:
	case CoreKind::enumval_value:
		return CoreKindClass::enumval;
	}
	return CoreKindClass::field; // unreachable: core_kind_from() made every CoreKind
}

std::string_view core_kind_name(CoreKind kind)
{
	static constexpr std::string_view names[] = {
		"byte_off", "byte_sz", "field_exists", "signed", "lshift_u64", "rshift_u64", "local_type_id",
		"target_type_id", "type_exists", "type_size", "enumval_exists", "enumval_value", "type_matches"};
	static_assert(std::size(names) == uint32_t(CoreKind::type_matches) + 1);
	return names[uint32_t(kind)];
}

CoreKind core_kind_from(uint32_t number)
{
	if (number > uint32_t(CoreKind::type_matches))
		fail("CO-RE: unknown relocation kind " + std::to_string(number));
	return CoreKind(number);
}

} // namespace guard
