// Virtual dispatch, multiple and virtual inheritance, dynamic_cast, typeid, pure virtuals.
#include <cstdio>
#include <memory>
#include <typeinfo>
#include <vector>
#include <string>

struct Shape {
    virtual ~Shape() { std::printf("~Shape\n"); }
    virtual double area() const = 0;
    virtual std::string name() const { return "shape"; }
    std::string describe() const { return name() + " area=" + std::to_string(area()); }
};
struct Rect : Shape {
    double w, h;
    Rect(double w, double h) : w(w), h(h) {}
    ~Rect() override { std::printf("~Rect\n"); }
    double area() const override { return w * h; }
    std::string name() const override { return "rect"; }
};
struct Square final : Rect {
    explicit Square(double s) : Rect(s, s) {}
    ~Square() override { std::printf("~Square\n"); }
    std::string name() const override { return "square"; }
};
struct Circle : Shape {
    double r;
    explicit Circle(double r) : r(r) {}
    double area() const override { return 3.0 * r * r; }
};

struct Named { virtual ~Named() = default; virtual const char *label() const { return "named"; } int id = 7; };
struct Counted { virtual ~Counted() = default; virtual int count() const { return 1; } int n = 3; };
struct Both : Named, Counted {
    const char *label() const override { return "both"; }
    int count() const override { return n * 10 + id; }
};

struct Base { virtual ~Base() = default; virtual int v() const { return 1; } int b = 100; };
struct Left : virtual Base { int v() const override { return 2 + b; } };
struct Right : virtual Base { int r = 5; };
struct Diamond : Left, Right { int v() const override { return Left::v() * 10 + r; } };

static int call_counted(const Counted &c) { return c.count(); }

int main() {
    std::vector<std::unique_ptr<Shape>> shapes;
    shapes.push_back(std::make_unique<Rect>(2, 3));
    shapes.push_back(std::make_unique<Square>(4));
    shapes.push_back(std::make_unique<Circle>(1.5));
    double total = 0;
    for (auto &s : shapes) {
        std::printf("%s\n", s->describe().c_str());
        total += s->area();
        if (auto *r = dynamic_cast<Rect *>(s.get())) std::printf("  is a Rect w=%g\n", r->w);
        if (dynamic_cast<Square *>(s.get())) std::printf("  is a Square\n");
        std::printf("  typeid matches Circle: %d\n", typeid(*s) == typeid(Circle));
    }
    std::printf("total area %g\n", total);

    Both both;
    Named *np = &both;
    Counted *cp = &both;
    std::printf("label=%s count=%d via-ref=%d\n", np->label(), cp->count(), call_counted(both));
    std::printf("cross cast ok=%d\n", dynamic_cast<Counted *>(np) == cp);
    std::printf("bad cast null=%d\n", dynamic_cast<Both *>(static_cast<Named *>(nullptr)) == nullptr);

    Diamond d;
    Base *bp = &d;
    std::printf("diamond v=%d base.b=%d\n", bp->v(), bp->b);
    try {
        Shape &sr = *shapes[2];
        (void)dynamic_cast<Rect &>(sr);
    } catch (const std::bad_cast &) {
        std::printf("bad_cast thrown\n");
    }
    // Many calls through a vtable to exercise dispatch.
    long acc = 0;
    for (int i = 0; i < 100000; i++) acc += (long)shapes[i % 3]->area();
    std::printf("dispatch acc=%ld\n", acc);
    shapes.clear();
    std::printf("end\n");
    return 0;
}
