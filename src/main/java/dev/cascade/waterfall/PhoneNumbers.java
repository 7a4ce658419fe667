package dev.cascade.waterfall;

import java.util.Locale;
import java.util.Optional;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;

import dev.cascade.events.Phone;
import dev.cascade.waterfall.providers.ProviderData;

/**
 * Normalises vendor phone numbers to E.164 and types them with Google's libphonenumber (§5.2). Where the numbering
 * plan cannot tell a mobile from a landline (all North American numbers are "fixed line or mobile"), the vendor's own
 * typing is kept; a number that is not valid for its region is dropped.
 */
final class PhoneNumbers {
    private static final PhoneNumberUtil UTIL = PhoneNumberUtil.getInstance();

    private PhoneNumbers() {}

    static Optional<Phone> normalise(ProviderData.PhoneCandidate candidate, String source, String defaultRegion) {
        if (candidate.number() == null
                || candidate.number().isBlank()
                || candidate.number().length() > 64) {
            return Optional.empty();
        }
        String region = candidate.region() != null && candidate.region().length() == 2
                ? candidate.region().toUpperCase(Locale.ROOT)
                : defaultRegion.toUpperCase(Locale.ROOT);
        PhoneNumber parsed;
        try {
            parsed = UTIL.parse(candidate.number().trim(), region);
        } catch (NumberParseException unreadable) {
            return Optional.empty();
        }
        if (!UTIL.isValidNumber(parsed)) {
            return Optional.empty();
        }
        String e164 = UTIL.format(parsed, PhoneNumberUtil.PhoneNumberFormat.E164);
        return Optional.of(new Phone(e164, lineType(UTIL.getNumberType(parsed), candidate.lineType()), source));
    }

    private static String lineType(PhoneNumberUtil.PhoneNumberType type, String vendorHint) {
        return switch (type) {
            case MOBILE -> "mobile";
            case FIXED_LINE -> "landline";
            case VOIP -> "voip";
            case FIXED_LINE_OR_MOBILE -> hint(vendorHint);
            default -> "unknown";
        };
    }

    private static String hint(String vendorHint) {
        if (vendorHint == null) {
            return "unknown";
        }
        String hint = vendorHint.toLowerCase(Locale.ROOT);
        return switch (hint) {
            case "mobile", "landline", "voip" -> hint;
            default -> "unknown";
        };
    }
}
