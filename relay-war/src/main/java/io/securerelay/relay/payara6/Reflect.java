package io.securerelay.relay.payara6;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reflection on private fields and methods of the container (Payara, Grizzly), for
 * {@link GrizzlyTlsBuffers}: members are looked up once per class and name, and a {@code null} on
 * the way is an error, not a value.
 */
final class Reflect {

    private static final ClassValue<Map<String, Object>> MEMBERS = new ClassValue<>() {
        @Override
        protected Map<String, Object> computeValue(Class<?> type) {
            return new ConcurrentHashMap<>();
        }
    };

    private Reflect() {
    }

    /** The value of field {@code name} of {@code target} (declared there or in a superclass); never null. */
    static Object field(Object target, String name) throws ReflectiveOperationException {
        Object value = declared(target.getClass(), name).get(target);
        if (value == null) {
            throw new NoSuchFieldException(name + " is null in " + target.getClass().getName());
        }
        return value;
    }

    /** Field {@code name} of {@code type} or a superclass, made accessible. */
    static Field declared(Class<?> type, String name) throws NoSuchFieldException {
        Field f = declaredOrNull(type, name);
        if (f == null) {
            throw new NoSuchFieldException(name + " in " + type.getName());
        }
        return f;
    }

    /** Field {@code name} of {@code type} or a superclass, made accessible, or null. */
    static Field declaredOrNull(Class<?> type, String name) {
        Object known = MEMBERS.get(type).get(name);
        if (known instanceof Field f) {
            return f;
        }
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            try {
                Field f = c.getDeclaredField(name);
                f.setAccessible(true);
                MEMBERS.get(type).put(name, f);
                return f;
            } catch (NoSuchFieldException e) {
                // look in the superclass
            }
        }
        return null;
    }

    /** Calls method {@code name()} (public or not, of the class or a superclass); never null. */
    static Object call(Object target, String name) throws ReflectiveOperationException {
        Object known = MEMBERS.get(target.getClass()).get(name + "()");
        Method m;
        if (known instanceof Method found) {
            m = found;
        } else {
            m = method(target.getClass(), name);
            MEMBERS.get(target.getClass()).put(name + "()", m);
        }
        Object value = m.invoke(target);
        if (value == null) {
            throw new NoSuchFieldException(name + "() is null on " + target.getClass().getName());
        }
        return value;
    }

    /** Calls the public static method {@code name(parameter)} of {@code type}. */
    static Object staticCall(Class<?> type, String name, Class<?> parameter, Object argument)
            throws ReflectiveOperationException {
        Object known = MEMBERS.get(type).get(name + "(1)");
        Method m;
        if (known instanceof Method found) {
            m = found;
        } else {
            m = type.getMethod(name, parameter);
            MEMBERS.get(type).put(name + "(1)", m);
        }
        return m.invoke(null, argument);
    }

    /** A method without parameters, public or not, of {@code type} or a superclass. */
    private static Method method(Class<?> type, String name) throws NoSuchMethodException {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            try {
                Method m = c.getDeclaredMethod(name);
                m.setAccessible(true);
                return m;
            } catch (NoSuchMethodException e) {
                // look in the superclass
            }
        }
        throw new NoSuchMethodException(name + "() in " + type.getName());
    }
}
