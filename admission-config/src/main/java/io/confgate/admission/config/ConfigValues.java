package io.confgate.admission.config;

import com.typesafe.config.Config;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jxmpp.jid.DomainBareJid;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.stringprep.XmppStringprepException;

/** Reading single values the same way everywhere; every failure names the key and the reason. */
public final class ConfigValues {

    private ConfigValues() {
    }

    /** An enum by its name in the file ({@code pack}, {@code no-node}), case and dash insensitive. */
    public static <E extends Enum<E>> E enumValue(Config c, String key, Class<E> type) {
        String raw = c.getString(key);
        try {
            return Enum.valueOf(type, raw.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            List<String> allowed = new ArrayList<>();
            for (E value : type.getEnumConstants()) {
                allowed.add(value.name().toLowerCase(Locale.ROOT).replace('_', '-'));
            }
            throw new IllegalArgumentException("invalid configuration '" + key + "': '" + raw + "' is not one of "
                    + allowed, e);
        }
    }

    /** An address such as {@code focus@auth.meet.jitsi}. */
    public static EntityBareJid jid(String value, String key) {
        try {
            return JidCreate.entityBareFrom(strict(value));
        } catch (XmppStringprepException | IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid configuration '" + key + "': '" + value
                    + "' is not a valid address", e);
        }
    }

    /** A domain such as {@code meet.jitsi}. */
    public static DomainBareJid domain(String value, String key) {
        try {
            if (value.indexOf('@') >= 0 || value.indexOf('/') >= 0) {
                throw new XmppStringprepException(value, "a domain has no '@' or '/'");
            }
            return JidCreate.domainBareFrom(strict(value));
        } catch (XmppStringprepException | IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid configuration '" + key + "': '" + value
                    + "' is not a valid domain", e);
        }
    }

    /** Refuses what jxmpp's lenient parser lets through: blanks anywhere, and a second '@'. */
    public static String strict(String value) throws XmppStringprepException {
        int at = value.indexOf('@');
        int slash = value.indexOf('/');
        if (value.chars().anyMatch(Character::isWhitespace)
                || (at >= 0 && value.indexOf('@', at + 1) >= 0 && (slash < 0 || value.indexOf('@', at + 1) < slash))) {
            throw new XmppStringprepException(value, "not an XMPP address");
        }
        return value;
    }

    /** A path element quoted, so that ids such as {@code v1.example} stay one element. */
    public static String quoted(String key) {
        return "\"" + key + "\"";
    }
}
