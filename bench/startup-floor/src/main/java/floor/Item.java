package floor;

import jakarta.persistence.Entity;

import io.quarkus.hibernate.reactive.panache.PanacheEntity;

/** One entity, so that the persistence unit has something to build. */
@Entity
public class Item extends PanacheEntity {
    public String name;
}
