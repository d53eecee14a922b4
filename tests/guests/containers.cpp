// std::map, std::string, std::vector, std::unordered_map, std::set, std::sort and friends.
#include <algorithm>
#include <cstdio>
#include <map>
#include <numeric>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>
#include <deque>
#include <list>

int main() {
    std::vector<int> v;
    unsigned s = 1;
    for (int i = 0; i < 100000; i++) { s = s * 1664525u + 1013904223u; v.push_back((int)(s >> 8) % 100000); }
    std::vector<int> sorted = v;
    std::sort(sorted.begin(), sorted.end());
    std::printf("sorted=%d front=%d back=%d sum=%lld\n", (int)std::is_sorted(sorted.begin(), sorted.end()),
                sorted.front(), sorted.back(), std::accumulate(v.begin(), v.end(), 0LL));
    auto last = std::unique(sorted.begin(), sorted.end());
    std::printf("unique=%ld\n", (long)(last - sorted.begin()));
    std::stable_sort(v.begin(), v.end(), [](int a, int b) { return a % 1000 < b % 1000; });
    std::printf("stable first=%d %d %d\n", v[0], v[1], v[2]);
    std::nth_element(v.begin(), v.begin() + 500, v.end());
    std::printf("nth=%d\n", v[500]);
    std::reverse(v.begin(), v.end());
    auto mm = std::minmax_element(v.begin(), v.end());
    std::printf("minmax=%d %d\n", *mm.first, *mm.second);

    std::map<std::string, int> wc;
    const char *text = "the quick brown fox jumps over the lazy dog the fox";
    std::string word;
    for (const char *p = text;; p++) {
        if (*p == ' ' || *p == 0) { if (!word.empty()) wc[word]++; word.clear(); if (!*p) break; }
        else word += *p;
    }
    for (const auto &kv : wc) std::printf("%s:%d ", kv.first.c_str(), kv.second);
    std::printf("\n");
    auto it = wc.lower_bound("l");
    std::printf("lower_bound(l)=%s erase(fox)=%zu size=%zu\n", it->first.c_str(), wc.erase("fox"), wc.size());

    std::unordered_map<long, long> um;
    for (long i = 0; i < 50000; i++) um[i * 7919 % 100003] += i;
    long long total = 0;
    for (const auto &kv : um) total += kv.first ^ kv.second;
    std::printf("unordered size=%zu xor-sum=%lld count(7919)=%zu\n", um.size(), total, um.count(7919));
    for (long i = 0; i < 50000; i += 2) um.erase(i * 7919 % 100003);
    std::printf("after erase size=%zu\n", um.size());

    std::unordered_map<std::string, std::vector<int>> groups;
    for (int i = 0; i < 30; i++) groups["g" + std::to_string(i % 4)].push_back(i);
    std::vector<std::string> keys;
    for (auto &kv : groups) keys.push_back(kv.first);
    std::sort(keys.begin(), keys.end());
    for (auto &k : keys) std::printf("%s=%zu ", k.c_str(), groups[k].size());
    std::printf("\n");

    std::string str = "Hello";
    str += ", World";
    str.insert(5, " there");
    str.replace(0, 5, "Goodbye");
    std::printf("%s len=%zu find=%zu rfind=%zu substr=%s\n", str.c_str(), str.size(), str.find("there"),
                str.rfind('o'), str.substr(8, 5).c_str());
    std::string big(100000, 'x');
    big += "end";
    std::printf("big size=%zu tail=%s cmp=%d\n", big.size(), big.c_str() + big.size() - 4,
                std::string("abc").compare("abd"));
    std::printf("to_string=%s stoi=%d stod=%g\n", std::to_string(-1234567).c_str(), std::stoi("  -42xyz"),
                std::stod("2.5e3"));
    std::string up = "Mixed Case";
    std::transform(up.begin(), up.end(), up.begin(), [](unsigned char c) { return (char)std::toupper(c); });
    std::printf("%s\n", up.c_str());

    std::set<int> st{5, 3, 9, 1, 3, 7};
    for (int x : st) std::printf("%d ", x);
    std::printf("| count3=%zu\n", st.count(3));
    std::deque<int> dq;
    for (int i = 0; i < 10; i++) { if (i % 2) dq.push_front(i); else dq.push_back(i); }
    for (int x : dq) std::printf("%d ", x);
    std::printf("\n");
    std::list<int> ls{4, 1, 3, 2};
    ls.sort();
    ls.push_front(0);
    for (int x : ls) std::printf("%d ", x);
    std::printf("\n");
    std::vector<std::vector<double>> grid(50, std::vector<double>(50));
    for (int i = 0; i < 50; i++)
        for (int j = 0; j < 50; j++) grid[i][j] = i * 0.5 + j * 0.25;
    double gs = 0;
    for (auto &row : grid) gs = std::accumulate(row.begin(), row.end(), gs);
    std::printf("grid sum=%a\n", gs);
    return 0;
}
