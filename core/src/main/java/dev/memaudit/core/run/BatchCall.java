package dev.memaudit.core.run;

import dev.memaudit.core.error.InputRejectedException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * One batched model call over items, of which the backend may refuse some for good ({@link
 * InputRejectedException}): a refused item is set aside with the refusal as its reason and the call
 * repeated without it, so one over-long input never costs the rest of its batch. Every other
 * failure propagates unchanged: nothing that failed is handed on as a result.
 */
public final class BatchCall {
    private BatchCall() {}

    /**
     * Calls {@code call} on {@code items} (one result per item, in order) and hands each result to
     * {@code onResult} and each refused item to {@code onRejected}, results in item order.
     */
    public static <I, R> void run(
            List<I> items,
            Function<List<I>, List<R>> call,
            BiConsumer<I, R> onResult,
            BiConsumer<I, String> onRejected) {
        List<I> rest = new ArrayList<>(items);
        while (!rest.isEmpty()) {
            List<R> results;
            try {
                results = call.apply(List.copyOf(rest));
            } catch (InputRejectedException e) {
                if (e.row() >= 0 && e.row() < rest.size()) {
                    onRejected.accept(rest.remove(e.row()), e.getMessage());
                } else if (rest.size() == 1) {
                    onRejected.accept(rest.remove(0), e.getMessage());
                } else {
                    // the backend did not say which one: find it by calling item by item
                    for (I item : rest) {
                        run(List.of(item), call, onResult, onRejected);
                    }
                    return;
                }
                continue;
            }
            if (results.size() != rest.size()) {
                throw new IllegalStateException(
                        "the backend returned " + results.size() + " results for " + rest.size());
            }
            for (int i = 0; i < rest.size(); i++) {
                onResult.accept(rest.get(i), results.get(i));
            }
            return;
        }
    }
}
