package dev.memaudit.core.records;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.AnnotatedMember;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;

/**
 * Makes every component of a Java record required and non-null unless it says otherwise ({@link
 * OptionalField}, {@link Nullable}, {@link NullableValues}). Jackson's own default would read a
 * missing {@code int} as 0 and a missing object as {@code null}: exactly the silent zeros run
 * records must not have.
 */
final class RecordIntrospector extends JacksonAnnotationIntrospector {
    private static final long serialVersionUID = 1L;

    @Override
    public Boolean hasRequiredMarker(AnnotatedMember m) {
        if (ofRecord(m)) {
            return !m.hasAnnotation(OptionalField.class);
        }
        return super.hasRequiredMarker(m);
    }

    @Override
    public JsonSetter.Value findSetterInfo(Annotated a) {
        if (a instanceof AnnotatedMember m && ofRecord(m)) {
            boolean nullValue =
                    m.hasAnnotation(OptionalField.class) || m.hasAnnotation(Nullable.class);
            Nulls value = nullValue ? Nulls.SET : Nulls.FAIL;
            Nulls content = m.hasAnnotation(NullableValues.class) ? Nulls.SET : Nulls.FAIL;
            return JsonSetter.Value.construct(value, content);
        }
        return super.findSetterInfo(a);
    }

    private static boolean ofRecord(AnnotatedMember m) {
        Class<?> owner = m.getDeclaringClass();
        return owner != null && owner.isRecord();
    }
}
